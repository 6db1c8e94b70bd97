using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Core.Telemetry;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary>The pipeline end to end: mock Kafka cluster, emulator, in-memory lookups.</summary>
[Trait("Category", "Integration")]
public sealed class KafkaPipelineTests
{
    [Fact]
    public async Task Every_alert_is_published_once_in_key_order_and_bad_ones_are_dead_lettered()
    {
        using var cluster = new MockKafkaCluster(brokers: 1);
        cluster.CreateTopic("alerts", 8);
        cluster.CreateTopic("alerts-enriched", 8);
        cluster.CreateTopic("alerts-dlq", 1);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        await emulator.AddEventsAsync([.. Enumerable.Range(0, 25).Select(i => ($"dev-{i}", $"10.5.0.{i}", emulator.Time.GetUtcNow().AddHours(-1)))]);

        const int Alerts = 10_000;
        const int BadAlerts = Alerts / 200;
        await TopicWriter.WriteAsync("alerts", cluster.BootstrapServers, Enumerable.Range(0, Alerts).SelectMany(Inputs));

        var settings = emulator.DefenderSettings();
        settings["Kafka:BootstrapServers"] = cluster.BootstrapServers;
        settings["Kafka:InputTopic"] = "alerts";
        settings["Kafka:OutputTopic"] = "alerts-enriched";
        settings["Kafka:DeadLetterTopic"] = "alerts-dlq";
        settings["Quota:PerMinute"] = "100000";
        settings["Quota:PerHour"] = "100000";
        settings["Enrichment:MaxWait"] = "00:00:30"; // every IP is answered in time even on a starved machine: this test is about the pipeline
        // A listener makes the pipeline create its spans, as an OpenTelemetry tracer provider would.
        using var listener = new System.Diagnostics.ActivityListener
        {
            ShouldListenTo = source => source.Name == "IpEnrich",
            Sample = (ref System.Diagnostics.ActivityCreationOptions<System.Diagnostics.ActivityContext> _) => System.Diagnostics.ActivitySamplingResult.AllDataAndRecorded,
        };
        System.Diagnostics.ActivitySource.AddActivityListener(listener);
        using var host = await PipelineSetup.StartPipelineHostAsync(settings);
        using var durations = new MetricCollector<double>(host.Services.GetRequiredService<IpEnrichTelemetry>().AlertDuration);

        var outputs = TopicReader.Drain<string, string>("alerts-enriched", cluster.BootstrapServers, Alerts);
        var deadLetters = TopicReader.Drain<string, string>("alerts-dlq", cluster.BootstrapServers, BadAlerts);
        await host.StopAsync(TestContext.Current.CancellationToken);

        // Consume → acknowledged time, once per input (dead letters too); the user's librdkafka settings are untouched
        // (Confluent's config classes write into the dictionary they wrap, so the clients are built from copies).
        var measured = durations.GetMeasurementSnapshot();
        Assert.Equal(Alerts + BadAlerts, measured.Count);
        Assert.All(measured, d => Assert.InRange(d.Value, 1e-6, 30));
        Assert.Empty(host.Services.GetRequiredService<IOptions<KafkaOptions>>().Value.Settings);

        // Exactly once, enriched from the emulator's data, headers kept and status added.
        var seqs = outputs.Select(o => JsonDocument.Parse(o.Message.Value).RootElement.GetProperty("seq").GetInt32()).ToList();
        Assert.Equal(Alerts, seqs.Count);
        Assert.Equal(Alerts, seqs.Distinct().Count());
        foreach (var record in outputs)
        {
            using var doc = JsonDocument.Parse(record.Message.Value);
            var seq = doc.RootElement.GetProperty("seq").GetInt32();
            var ip = doc.RootElement.GetProperty("ipEnrichment").GetProperty("ips")[0];
            Assert.Equal(SkewedIp(seq) < 25 ? "found" : "not_seen", ip.GetProperty("status").GetString());
            Assert.Equal($"10.5.0.{SkewedIp(seq)}", ip.GetProperty("ip").GetString());
            Assert.Equal("complete", Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("ipenrich-status")));
            // Triage: each found IP was seen by one device, first an hour ago (rare and new); the rest by none.
            var found = SkewedIp(seq) < 25;
            var triage = doc.RootElement.GetProperty("ipEnrichment").GetProperty("triage");
            Assert.Equal(found ? "rare" : "unseen", ip.GetProperty("rarity").GetString());
            Assert.Equal(found, ip.TryGetProperty("new", out var isNew) && isNew.GetBoolean());
            Assert.Equal((found ? "rare" : "unseen", found ? 1 : 0), (triage.GetProperty("rarest").GetString(), triage.GetProperty("newIps").GetInt32()));
            Assert.Equal(found ? "rare" : "unseen", Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("ipenrich-triage")));
            // The trace continues: same trace id as the input's traceparent, a new span id.
            var traceparent = Encoding.ASCII.GetString(record.Message.Headers.GetLastBytes("traceparent"));
            Assert.StartsWith("00-0af7651916cd43dd8448eb211c80319c-", traceparent, StringComparison.Ordinal);
            Assert.DoesNotContain("b7ad6b7169203331", traceparent, StringComparison.Ordinal);
            Assert.Equal($"host-{seq % 100}", record.Message.Key);
        }

        // Per key, outputs appear in input order.
        foreach (var group in outputs.GroupBy(o => o.Message.Key))
        {
            var order = group.OrderBy(o => o.Offset.Value).Select(o => JsonDocument.Parse(o.Message.Value).RootElement.GetProperty("seq").GetInt32()).ToList();
            Assert.Equal(order.Order(), order);
        }

        Assert.Equal(BadAlerts, deadLetters.Count);
        Assert.All(deadLetters, d =>
        {
            Assert.StartsWith("not json", d.Message.Value, StringComparison.Ordinal);
            Assert.StartsWith("not valid JSON", Encoding.UTF8.GetString(d.Message.Headers.GetLastBytes("ipenrich-error")), StringComparison.Ordinal);
            Assert.Equal("alerts", Encoding.UTF8.GetString(d.Message.Headers.GetLastBytes("ipenrich-source-topic")));
            Assert.NotNull(d.Message.Headers.GetLastBytes("ipenrich-source-offset"));
        });

        // Offsets were committed: a new consumer of the group has nothing left to read.
        using var again = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "ipenrich", AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        var committed = again.Committed([.. Enumerable.Range(0, 8).Select(p => new TopicPartition("alerts", p))], TimeSpan.FromSeconds(10));
        Assert.Equal(Alerts + BadAlerts, committed.Sum(c => c.Offset.Value));
    }

    [Fact]
    public async Task A_host_disposed_without_a_stop_still_drains_commits_and_closes_before_disposal_returns()
    {
        const int Alerts = 200;
        using var cluster = PipelineSetup.Cluster(2);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers, Enumerable.Range(0, Alerts)
            .Select(i => new Message<Null, string> { Value = $$"""{"seq":{{i}},"src_ip":"10.5.0.{{i % 50}}"}""" }));

        var host = await PipelineSetup.StartPipelineHostAsync(PipelineSetup.Settings(emulator, cluster));
        var pipeline = host.Services.GetRequiredService<KafkaPipeline>();
        try
        {
            await Eventually.UntilAsync(() => pipeline.Delivered > 0, TimeSpan.FromSeconds(60), "the first outputs are delivered", TestContext.Current.CancellationToken);
        }
        finally
        {
            await ((IAsyncDisposable)host).DisposeAsync(); // no StopAsync: a host whose start failed, or a test that ended early
        }

        Assert.True(pipeline.ExecuteTask!.IsCompleted, "the consume loop outlived the host");
        Assert.False(pipeline.IsRunning);
        using var again = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "ipenrich" }).Build();
        var committed = again.Committed([new TopicPartition("in", 0), new TopicPartition("in", 1)], TimeSpan.FromSeconds(10));
        Assert.Equal(pipeline.Consumed, committed.Sum(c => Math.Max(c.Offset.Value, 0))); // what it consumed was drained and committed
    }

    /// <summary>A skewed mix, as in real alert streams: 70 % of alerts name one of 5 hot IPs, the rest spread over 50.</summary>
    private static int SkewedIp(int i) => i % 10 < 7 ? i % 5 : i % 50;

    /// <summary>Alert <paramref name="i"/>, carrying a trace context; after every 200th, one that is not JSON.</summary>
    private static IEnumerable<Message<string, string>> Inputs(int i)
    {
        var headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01") } };
        yield return new Message<string, string> { Key = $"host-{i % 100}", Value = $$"""{"seq":{{i}},"src_ip":"10.5.0.{{SkewedIp(i)}}","severity":"high"}""", Headers = headers };
        if (i % 200 == 0)
        {
            yield return new Message<string, string> { Key = "bad", Value = "not json " + i };
        }
    }
}
