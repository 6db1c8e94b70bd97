using System.Globalization;
using Confluent.Kafka;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Lookup;

/// <summary>
/// A 5xx storm of a little over 30 s against a real <c>ipenrich</c> process fed a steady stream of new IPs: the
/// circuit opens (and reopens after failed probes), the API is reported failing, then answers again. The log file
/// must tell that story in a few lines, not one per lookup or attempt.
/// </summary>
[Trait("Category", "Integration")]
[Collection(RunAlone.Name)]
public sealed class ApiStormProcessTests(ITestOutputHelper output)
{
    // Past ApiOutageLog's 30 s summary interval, so a summary is due while it lasts.
    private static readonly TimeSpan Storm = TimeSpan.FromSeconds(33);

    [Fact]
    public async Task A_5xx_storm_warns_once_for_the_circuit_once_for_the_outage_summarises_it_and_reports_both_ends()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync();
        using var cluster = PipelineSetup.Cluster(2);
        var settings = PipelineSetup.Settings(emulator, cluster, unlimitedQuota: false); // the emulator's quota, mirrored: no 429 once it answers
        settings["Kafka:GroupId"] = "api-storm";
        settings["Enrichment:MaxWait"] = "00:00:00.500";
        await using var fleet = await WorkerFleet.StartAsync(settings, 1, "api-storm", ct);
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 0 }).Build();
        var sent = 0;
        async Task FeedAsync(TimeSpan duration)
        {
            var until = DateTime.UtcNow + duration;
            while (DateTime.UtcNow < until)
            {
                var ip = string.Create(CultureInfo.InvariantCulture, $"10.88.{sent / 250}.{(sent % 250) + 1}");
                await producer.ProduceAsync("in", new Message<string, string> { Key = $"k{sent}", Value = $$"""{"seq":{{sent}},"src_ip":"{{ip}}"}""" }, ct);
                sent++;
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct);
            }
        }

        await FeedAsync(TimeSpan.FromSeconds(2));
        await emulator.SetFaultsAsync(new FaultOptions { ErrorRate = 1.0 });
        await FeedAsync(Storm);
        await emulator.SetFaultsAsync(new FaultOptions());
        await Eventually.UntilAsync(() => fleet.Entries().Any(e => e.Message.Contains("OnCircuitClosed", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(60), "the circuit closes once the API answers again", ct);
        await Eventually.UntilAsync(() => fleet.Entries().Any(e => e.Message.StartsWith("Defender API answering again", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(15), "the outage is reported over", ct);

        var entries = fleet.Entries();
        // A readiness probe answered while the worker was still starting (a loaded machine) logs its own warning: not the storm's.
        var loud = entries.Where(e => e.Level is "warn" or "fail" or "crit" && !e.Category.StartsWith("Microsoft.Extensions.Diagnostics.HealthChecks", StringComparison.Ordinal)).ToList();
        output.WriteLine($"{sent} alerts; logs in {fleet.Logs}; warnings and errors ({loud.Count}):\n"
            + string.Join("\n", loud.Select(e => $"{e.Level} {e.Category}: {e.Message}")));
        List<LogEntry> Saying(string level, string text) => [.. entries.Where(e => e.Level == level && e.Message.Contains(text, StringComparison.Ordinal))];

        Assert.Single(Saying("warn", "OnCircuitOpened"));
        Assert.Single(Saying("info", "OnCircuitClosed"));
        Assert.Single(Saying("warn", "Defender API lookups failing"));
        var summary = Assert.Single(Saying("warn", "Defender API lookups still failing"));
        Assert.Matches(@"still failing: [1-9]\d* more failed", summary.Message);
        Assert.Matches(@"answering again after [1-9]\d* failed lookups", Assert.Single(Saying("info", "Defender API answering again")).Message);
        // The circuit, the outage, its summary: nothing per lookup, attempt or reopening.
        Assert.True(loud.Count == 3, string.Join(Environment.NewLine, loud.Select(e => $"{e.Level} {e.Category}: {e.Message}")));
    }
}
