using System.CommandLine;
using IpEnrich.Core.Extraction;
using IpEnrich.Defender.Configuration;
using IpEnrich.Worker.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Cli;

/// <summary>
/// <c>ipenrich extract FILE</c> (docs/architecture.md §7): FILE holds one JSON alert or one alert per line (NDJSON).
/// Prints the distinct canonical IPs the configuration would look up, sorted ordinally, one per line; exit 0.
/// Unreadable or invalid input: one line on stderr, exit 2; invalid configuration: one line per problem, exit 2.
/// </summary>
internal static class ExtractCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var file = new Argument<FileInfo>("file") { Description = "An alert file: one JSON object, or one object per line (NDJSON)." };
        var command = new Command("extract", "Print the IPs the worker would look up for the alerts in FILE.") { file };
        command.TreatUnmatchedTokensAsErrors = false; // configuration words, e.g. --Extraction:MaxIpsPerAlert=64
        command.SetAction(async (parse, cancellationToken) =>
        {
            // A second file name is not configuration: the configuration reader would skip it without a word.
            var (extra, words) = ConfigurationWords.Split(parse.UnmatchedTokens);
            if (extra.Count > 0)
            {
                await error.WriteLineAsync($"ipenrich: extract takes one file; unexpected '{extra[0]}' (see --help)");
                return IpEnrichCommandLine.ExitUsage;
            }

            return await RunAsync(parse.GetRequiredValue(file), CliConfiguration.Build(words), output, error, cancellationToken);
        });
        return command;
    }

    /// <summary>With the worker's <c>Extraction</c> section as it reads it, checked as the worker checks it at start.</summary>
    public static async Task<int> RunAsync(FileInfo file, IConfiguration configuration, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        var services = new ServiceCollection();
        services.AddExtraction(configuration);
        await using var provider = services.BuildServiceProvider();
        if (!await CliValidation.CheckAsync(provider, error))
        {
            return IpEnrichCommandLine.ExitUsage;
        }

        return await RunAsync(file, provider.GetRequiredService<IOptions<ExtractionOptions>>().Value, output, error, cancellationToken);
    }

    public static async Task<int> RunAsync(FileInfo file, ExtractionOptions options, TextWriter output, TextWriter error,
        CancellationToken cancellationToken)
    {
        byte[] bytes;
        try
        {
            bytes = await File.ReadAllBytesAsync(file.FullName, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException)
        {
            await error.WriteLineAsync($"ipenrich: cannot read {file}: {ex.Message}");
            return IpEnrichCommandLine.ExitUsage;
        }

        AlertExtractor extractor;
        try
        {
            extractor = new AlertExtractor(options);
        }
        catch (ArgumentException ex)
        {
            await error.WriteLineAsync($"ipenrich: {ex.Message}");
            return IpEnrichCommandLine.ExitUsage;
        }

        var result = new AlertExtraction();
        var ips = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (alert, line) in AlertFileReader.Split(bytes, extractor, result))
        {
            if (!extractor.TryExtract(alert.Span, result, out var rejection))
            {
                var where = line > 0 ? $"{file}: line {line}" : file.ToString();
                await error.WriteLineAsync($"ipenrich: {where}: {rejection.Reason}");
                return IpEnrichCommandLine.ExitUsage;
            }

            foreach (var address in result.Candidates)
            {
                ips.Add(address.ToString());
            }
        }

        foreach (var ip in ips)
        {
            await output.WriteLineAsync(ip);
        }

        return IpEnrichCommandLine.ExitOk;
    }
}
