using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary>
/// Issue 8's hostile-input suite through the real pipeline (mock cluster, emulator over TLS): nothing crashes, bad
/// messages reach the dead-letter topic with their reason, forged enrichment and ipenrich headers do not survive, and
/// no request leaves for anything but a canonical IP.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HostileInputTests
{
    private const int MaxAlertBytes = 256 * 1024; // room for the 10,000-IP alert (~170 KB)
    private const int MaxIpsPerAlert = 32;
    private const int MaxListedIps = 256;
    private const int KnownPathReserve = 64;

    [Fact]
    public async Task Hostile_alerts_are_dead_lettered_or_enriched_safely_and_only_canonical_IPs_are_requested()
    {
        using var cluster = PipelineSetup.Cluster(partitions: 4);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        await emulator.AddEventsAsync([("dev-1", HostileAlerts.Anchor, emulator.Time.GetUtcNow().AddHours(-1))]);
        var cases = HostileAlerts.Create(MaxAlertBytes);
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers,
            cases.Select(alert => new Message<string, byte[]> { Key = alert.Name, Value = alert.Value, Headers = ToHeaders(alert.Headers) }));

        var requests = new List<Uri>();
        using var listener = RecordOutgoingRequests(requests);
        var settings = PipelineSetup.Settings(emulator, cluster);
        settings["Extraction:MaxAlertBytes"] = MaxAlertBytes.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var host = await PipelineSetup.StartPipelineHostAsync(settings);

        var bad = cases.Where(c => c.Outcome == HostileOutcome.DeadLetter).ToDictionary(c => c.Name);
        var good = cases.Where(c => c.Outcome == HostileOutcome.Enriched).ToDictionary(c => c.Name);
        var deadLetters = TopicReader.Drain<string, byte[]>("dlq", cluster.BootstrapServers, bad.Count);
        var outputs = TopicReader.Drain<string, byte[]>("out", cluster.BootstrapServers, good.Count);
        var pipeline = host.Services.GetRequiredService<KafkaPipeline>();
        Assert.True(pipeline.IsRunning, "the pipeline stopped on hostile input");
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(bad.Keys.Order(), deadLetters.Select(d => d.Message.Key).Order());
        foreach (var record in deadLetters)
        {
            var error = Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(AlertHeaders.Error));
            Assert.Contains(bad[record.Message.Key].Expect, error, StringComparison.Ordinal);
            Assert.DoesNotContain('\n', error);
            Assert.Equal(bad[record.Message.Key].Value, record.Message.Value); // the original bytes, for replay
            Assert.Equal("in", Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes(AlertHeaders.SourceTopic)));
        }

        Assert.Equal(good.Keys.Order(), outputs.Select(o => o.Message.Key).Order());
        foreach (var record in outputs)
        {
            var alert = good[record.Message.Key];
            var enrichments = TopLevelValues(record.Message.Value, "ipEnrichment");
            Assert.Single(enrichments); // a forged enrichment is replaced, never left beside the real one
            var listed = enrichments[0].GetProperty("ips").EnumerateArray().Select(ip => ip.GetProperty("ip").GetString()).ToList();
            Assert.All(alert.Ips, ip => Assert.Contains(ip, listed));
            Assert.DoesNotContain("6.6.6.6", listed);
            Assert.DoesNotContain("7.7.7.7", listed);
            Assert.True(listed.Count <= MaxListedIps + KnownPathReserve, $"{alert.Name}: {listed.Count} IPs listed");
            Assert.Single(record.Message.Headers, h => h.Key == AlertHeaders.Status);
            Assert.DoesNotContain(record.Message.Headers, h => h.Key == AlertHeaders.Error);
        }

        // 10,000 IPs in free text neither grow the output without bound nor push the alert's source address (a known
        // field, after them) out of the listing or the lookups.
        var manyIps = TopLevelValues(outputs.Single(o => o.Message.Key == "10,000 IPs in one alert").Message.Value, "ipEnrichment")[0];
        Assert.Equal(MaxListedIps + 1, manyIps.GetProperty("ips").GetArrayLength());
        var source = manyIps.GetProperty("ips").EnumerateArray().Single(ip => ip.GetProperty("ip").GetString() == HostileAlerts.Anchor);
        Assert.Equal("found", source.GetProperty("status").GetString());

        // Every API request is GET /api/ips/{canonical IP}/stats?lookBackHours=N, at most MaxIpsPerAlert per alert. The
        // listener hears the whole process, so only this test's emulator counts: other classes run beside it.
        var api = requests
            .Where(r => r.Authority == emulator.BaseAddress.Authority && r.AbsolutePath.StartsWith("/api/", StringComparison.Ordinal))
            .ToList();
        Assert.NotEmpty(api);
        Assert.True(api.Count <= good.Count * MaxIpsPerAlert, $"{api.Count} API requests");
        Assert.All(api, uri =>
        {
            var segments = uri.AbsolutePath.Split('/');
            Assert.Equal(["", "api", "ips", segments[3], "stats"], segments);
            var ip = Uri.UnescapeDataString(segments[3]);
            Assert.True(IPAddress.TryParse(ip, out var parsed) && parsed.ToString() == ip, $"not a canonical IP: {uri}");
            Assert.Matches("^\\?(lookBackHours=[0-9]+|\\*)$", uri.Query); // the runtime redacts query strings in url.full
        });
        Assert.Contains(api, uri => uri.AbsolutePath == $"/api/ips/{HostileAlerts.Anchor}/stats");
    }

    /// <summary>A hostile alert's headers as the producer takes them.</summary>
    private static Headers ToHeaders(IReadOnlyList<(string Key, byte[] Value)> pairs)
    {
        var headers = new Headers();
        foreach (var (key, value) in pairs)
        {
            headers.Add(key, value);
        }

        return headers;
    }

    /// <summary>Every outgoing HttpClient request of this process, from the runtime's own activity source.</summary>
    private static ActivityListener RecordOutgoingRequests(List<Uri> requests)
    {
        var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.GetTagItem("url.full") is string url)
                {
                    lock (requests)
                    {
                        requests.Add(new Uri(url));
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        return listener;
    }

    /// <summary>All values of a top-level property, duplicates included (JsonDocument would hide them).</summary>
    private static List<JsonElement> TopLevelValues(byte[] json, string name)
    {
        using var document = JsonDocument.Parse(json);
        return [.. document.RootElement.EnumerateObject().Where(p => p.NameEquals(name)).Select(p => p.Value.Clone())];
    }
}
