using System.Buffers;
using System.Text;
using System.Text.Json;
using IpEnrich.Core.Alerts;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Pipeline;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IpEnrich.Worker.Tests.Pipeline;

/// <summary>An alert through extraction, lookups (emulator, in-memory mode) and annotation, without Kafka.</summary>
[Trait("Category", "Integration")]
public sealed class AlertProcessorTests
{
    private static ServiceProvider Build(RunningEmulator emulator, string maxWait = "00:00:10")
    {
        var settings = emulator.DefenderSettings();
        settings["Enrichment:MaxWait"] = maxWait;
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddIpEnrichLookups(configuration).AddAlertProcessing(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task Every_sample_alert_comes_out_enriched_with_its_bytes_intact()
    {
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        await emulator.AddEventsAsync(("dev-1", "203.0.113.45", emulator.Time.GetUtcNow().AddHours(-2)));
        await using var services = Build(emulator);
        var processor = services.GetRequiredService<AlertProcessor>();
        foreach (var file in Directory.GetFiles(RepoPaths.Samples, "*.json*").Where(f => !f.EndsWith("expected-ips.json", StringComparison.Ordinal)))
        {
            foreach (var alert in AlertFiles.ReadAlerts(file))
            {
                var output = new ArrayBufferWriter<byte>();
                var outcome = await processor.ProcessAsync(alert, new AlertScratch(), output, TestContext.Current.CancellationToken);
                Assert.False(outcome.IsRejected, file);
                using var doc = JsonDocument.Parse(output.WrittenMemory);
                var enrichment = doc.RootElement.GetProperty("ipEnrichment");
                var expected = outcome.Status == AlertEnrichmentStatus.None ? "none" : "complete";
                Assert.Equal(expected, enrichment.GetProperty("status").GetString());
                var written = output.WrittenSpan.ToArray();
                Assert.Equal(alert, JsonProperties.RemoveTopLevel(written, "ipEnrichment"));
            }
        }
    }

    [Fact]
    public async Task Found_ips_carry_the_emulators_statistics()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await emulator.AddEventsAsync(("dev-1", "203.0.113.45", emulator.Time.GetUtcNow().AddHours(-2)), ("dev-2", "203.0.113.45", emulator.Time.GetUtcNow().AddHours(-1)));
        await using var services = Build(emulator);
        var output = new ArrayBufferWriter<byte>();
        var outcome = await services.GetRequiredService<AlertProcessor>().ProcessAsync(
            File.ReadAllBytes(Path.Combine(RepoPaths.Samples, "defender_endpoint_alert.json")), new AlertScratch(), output, TestContext.Current.CancellationToken);
        Assert.Equal(AlertEnrichmentStatus.Complete, outcome.Status);
        using var doc = JsonDocument.Parse(output.WrittenMemory);
        var ip = doc.RootElement.GetProperty("ipEnrichment").GetProperty("ips").EnumerateArray().Single(e => e.GetProperty("ip").GetString() == "203.0.113.45");
        Assert.Equal(2, ip.GetProperty("organizationPrevalence").GetInt32());
        Assert.Equal("found", ip.GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_slow_api_never_holds_the_alert_beyond_max_wait()
    {
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync();
        await emulator.SetFaultsAsync(new FaultOptions { LatencyMs = 3000 });
        await using var services = Build(emulator, maxWait: "00:00:00.200");
        var output = new ArrayBufferWriter<byte>();
        var started = DateTime.UtcNow;
        var outcome = await services.GetRequiredService<AlertProcessor>().ProcessAsync(
            """{"src_ip":"198.51.100.77","severity":"high"}"""u8.ToArray(), new AlertScratch(), output, TestContext.Current.CancellationToken);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));
        Assert.Equal(AlertEnrichmentStatus.Deferred, outcome.Status);
        Assert.Contains("\"reason\":\"timeout\"", Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_input_is_a_rejection_for_the_dead_letter_topic()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await using var services = Build(emulator);
        var output = new ArrayBufferWriter<byte>();
        var outcome = await services.GetRequiredService<AlertProcessor>().ProcessAsync("[1,2]"u8.ToArray(), new AlertScratch(), output, TestContext.Current.CancellationToken);
        Assert.True(outcome.IsRejected);
        Assert.Equal(RejectionKind.NotAnObject, outcome.Rejection!.Value.Kind);
        Assert.Equal(0, output.WrittenCount);
        Assert.Equal(0, (await emulator.GetCallsAsync()).Total);
    }
}
