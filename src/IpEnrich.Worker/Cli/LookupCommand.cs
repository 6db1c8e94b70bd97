using System.CommandLine;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using IpEnrich.Core.Annotation;
using IpEnrich.Core.Extraction;
using IpEnrich.Core.Enrichment;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Options;
using Microsoft.Extensions.Configuration;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Pipeline;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Cli;

/// <summary>
/// <c>ipenrich lookup IP [IP …] [--look-back-hours N]</c> (contract): looks the IPs up through the lookup service (cache,
/// shared quota, Defender client, as configured) and prints one JSON object per IP in the enrichment format. Exit 0 on any API answer; 2 on bad arguments,
/// configuration, or a rejected credential or TLS chain, with one line on stderr.
/// </summary>
internal static class LookupCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var ips = new Argument<string[]>("ip") { Description = "IPv4 or IPv6 addresses to look up.", Arity = ArgumentArity.OneOrMore };
        var lookBack = new Option<int?>("--look-back-hours") { Description = "Hours of history, 1 to 720 (default Defender:LookBackHours, 720)." };
        var command = new Command("lookup", "Look IPs up in Microsoft Defender (Get IP statistics) and print their enrichment.") { ips, lookBack };
        command.TreatUnmatchedTokensAsErrors = false;
        command.SetAction(async (parse, cancellationToken) =>
        {
            // Configuration words after the IPs reach the ip argument: they are configuration all the same.
            var (ipTexts, words) = ConfigurationWords.Split(parse.GetRequiredValue(ips));
            if (ipTexts.Count == 0)
            {
                await error.WriteLineAsync("ipenrich: lookup needs at least one IP address (see --help)");
                return IpEnrichCommandLine.ExitUsage;
            }

            var configuration = CliConfiguration.Build([.. words, .. parse.UnmatchedTokens]);
            return await RunAsync(ipTexts, parse.GetValue(lookBack), configuration, output, error, cancellationToken);
        });
        return command;
    }

    public static async Task<int> RunAsync(IReadOnlyList<string> ipTexts, int? lookBackHours, IConfiguration configuration,
        TextWriter output, TextWriter error, CancellationToken cancellationToken, Action<IServiceCollection>? configureServices = null)
    {
        var addresses = new List<IPAddress>();
        foreach (var text in ipTexts)
        {
            if (!IpTextScanner.TryParseExact(Encoding.UTF8.GetBytes(text), out var value))
            {
                await error.WriteLineAsync($"ipenrich: '{text}' is not an IP address");
                return IpEnrichCommandLine.ExitUsage;
            }

            addresses.Add(value.ToIPAddress());
        }

        var services = new ServiceCollection();
        services.AddSingleton(configuration);
        // The Defender client's logs (MSAL's included) repeat what the JSON answers and the one status line below already say.
        services.AddLogging(logging => logging.AddConsole(c => c.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning)
            .AddFilter("IpEnrich.Defender", LogLevel.None));
        configureServices?.Invoke(services);
        services.AddIpEnrichLookups(configuration);
        // A one-shot command answers its own IPs; it does not take the workers' wanted lookups from the shared backlog.
        services.Configure<IpEnrich.Worker.Backlog.BacklogOptions>(o => o.Shared = false);
        await using var provider = services.BuildServiceProvider();

        // The worker's start-up checks of every section the lookups read (Defender, Redis, Cache, Quota), all at once.
        if (!await CliValidation.CheckAsync(provider, error))
        {
            return IpEnrichCommandLine.ExitUsage;
        }

        var options = provider.GetRequiredService<IOptions<DefenderOptions>>().Value;
        var triage = provider.GetRequiredService<IOptions<TriageOptions>>().Value.ToRules();

        var hours = lookBackHours ?? options.LookBackHours;
        if (hours is < 1 or > 720)
        {
            await error.WriteLineAsync($"ipenrich: --look-back-hours must be between 1 and 720 (was {hours})");
            return IpEnrichCommandLine.ExitUsage;
        }

        // An interactive question: wait as long as the client's own timeouts allow, as a critical alert.
        var lookups = provider.GetRequiredService<LookupService>();
        // Redis connects in the background; a single lookup would otherwise be over before the shared cache is in use.
        await provider.GetRequiredService<RedisConnection>().WaitForFirstAttemptAsync(cancellationToken);
        var maxWait = options.Resilience.TotalTimeout + TimeSpan.FromSeconds(5);
        var results = await lookups.LookupAsync(addresses, AlertPriority.Critical, maxWait, cancellationToken, hours);
        // A rejected credential or TLS chain is configuration to fix, not an answer about the IPs.
        if (provider.GetRequiredService<DefenderApiStatus>().Problem is { } problem)
        {
            await error.WriteLineAsync($"ipenrich: {problem}");
            return IpEnrichCommandLine.ExitUsage;
        }

        var buffer = new MemoryStream();
        var writerOptions = new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
        for (var i = 0; i < addresses.Count; i++)
        {
            buffer.SetLength(0);
            await using (var writer = new Utf8JsonWriter(buffer, writerOptions))
            {
                EnrichmentJson.WriteIpEntry(writer, DefenderIpStatsClient.Canonical(addresses[i]), results[i], triage);
            }

            await output.WriteLineAsync(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
        }

        return IpEnrichCommandLine.ExitOk;
    }
}
