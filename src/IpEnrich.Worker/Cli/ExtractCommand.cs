using System.CommandLine;
using IpEnrich.Core.Extraction;
using Microsoft.Extensions.Configuration;

namespace IpEnrich.Worker.Cli;

/// <summary>
/// <c>ipenrich extract FILE</c> (contract, DESIGN §4): FILE holds one JSON alert or one alert per line (NDJSON).
/// Prints the distinct canonical IPs the configuration would look up, sorted ordinally, one per line; exit 0.
/// Unreadable or invalid input: one line on stderr, exit 2.
/// </summary>
internal static class ExtractCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "An alert file: one JSON object, or one object per line (NDJSON)." };
        var command = new Command("extract", "Print the IPs the worker would look up for the alerts in FILE.") { file };
        command.SetAction(async (parse, cancellationToken) =>
        {
            var options = new ExtractionOptions();
            CliConfiguration.Build(parse.UnmatchedTokens).GetSection(ExtractionOptions.SectionName).Bind(options);
            return await RunAsync(parse.GetRequiredValue(file), options, Console.Out, Console.Error, cancellationToken);
        });
        return command;
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
