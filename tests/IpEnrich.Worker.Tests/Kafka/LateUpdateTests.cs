using System.Net;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Core.Enrichment;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary><c>Enrichment:UpdatesTopic</c>: IPs an alert goes out without are answered later, in an update pointing at the alert.</summary>
public sealed class LateUpdateTests
{
    [Fact]
    public void The_record_names_the_input_and_carries_only_final_answers()
    {
        var fetched = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var value = LateUpdateRecord.Serialize(new TopicPartitionOffset("alerts", 3, 1234), "host-7"u8.ToArray(), 720, fetched.AddSeconds(5),
            [IPAddress.Parse("203.0.113.5"), IPAddress.Parse("198.51.100.1")],
            [IpLookupResult.Found(new IpStats(4, fetched.AddDays(-3), fetched.AddHours(-1)), LookupSource.Api, fetched), IpLookupResult.Deferred("timeout")]);

        using var doc = JsonDocument.Parse(value!);
        var root = doc.RootElement;
        Assert.Equal("ipenrich.update", root.GetProperty("type").GetString());
        Assert.Equal("alerts", root.GetProperty("input").GetProperty("topic").GetString());
        Assert.Equal(3, root.GetProperty("input").GetProperty("partition").GetInt32());
        Assert.Equal(1234, root.GetProperty("input").GetProperty("offset").GetInt64());
        Assert.Equal("host-7", root.GetProperty("key").GetString());
        var ip = Assert.Single(root.GetProperty("ips").EnumerateArray());
        Assert.Equal("203.0.113.5", ip.GetProperty("ip").GetString());
        Assert.Equal("found", ip.GetProperty("status").GetString());
        Assert.Equal(4, ip.GetProperty("organizationPrevalence").GetInt32());
    }

    [Fact]
    public void With_triage_the_record_carries_the_ips_signals_and_the_alerts_recomputed_triage()
    {
        var fetched = new DateTimeOffset(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
        var rules = new TriageRules(3, 50, TimeSpan.FromHours(24));
        var answer = IpLookupResult.Found(new IpStats(2, fetched.AddHours(-3), fetched.AddHours(-1)), LookupSource.Api, fetched);
        var wentOutWith = new AlertTriage(Rarity.Common, 0); // the alert's other IP was common
        var value = LateUpdateRecord.Serialize(new TopicPartitionOffset("alerts", 0, 5), null, 720, fetched, [IPAddress.Parse("203.0.113.5")], [answer],
            rules, wentOutWith.With(answer, rules));

        using var doc = JsonDocument.Parse(value!);
        var ip = Assert.Single(doc.RootElement.GetProperty("ips").EnumerateArray());
        Assert.Equal(("rare", true), (ip.GetProperty("rarity").GetString(), ip.GetProperty("new").GetBoolean()));
        Assert.Equal("""{"rarest":"rare","newIps":1}""", doc.RootElement.GetProperty("triage").GetRawText());
    }

    [Fact]
    public void Nothing_final_means_no_record_and_a_binary_key_is_base64()
    {
        IPAddress[] ips = [IPAddress.Parse("203.0.113.5")];
        Assert.Null(LateUpdateRecord.Serialize(new TopicPartitionOffset("a", 0, 1), null, 720, DateTimeOffset.UnixEpoch, ips, [IpLookupResult.Deferred("timeout")]));

        var value = LateUpdateRecord.Serialize(new TopicPartitionOffset("a", 0, 1), [0xff, 0xfe], 720, DateTimeOffset.UnixEpoch, ips,
            [IpLookupResult.NotSeen(LookupSource.Api, DateTimeOffset.UnixEpoch)]);
        using var doc = JsonDocument.Parse(value!);
        Assert.Equal("//4=", doc.RootElement.GetProperty("keyBase64").GetString());
        Assert.False(doc.RootElement.TryGetProperty("key", out _));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Alerts_deferred_by_a_slow_api_get_a_late_update_with_the_answers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cluster = PipelineSetup.Cluster(2);
        cluster.CreateTopic("updates", 2);
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync("--Emulator:Quota:Enabled=false");
        await emulator.AddEventsAsync(("dev-1", "203.0.113.77", DateTimeOffset.UtcNow.AddHours(-2)), ("dev-2", "203.0.113.77", DateTimeOffset.UtcNow.AddHours(-1)));
        await using var worker = await StartWithSlowApiAsync(cluster, emulator, latencyMs: 1500, maxWait: "00:00:00.200");

        await WriteAlertsAsync(cluster, 20, i => i == 0 ? "203.0.113.77" : $"198.51.100.{i}");

        var outputs = Read(cluster, "out", 20);
        var updates = Read(cluster, "updates", 20);
        await worker.StopAsync(ct);

        // Every alert went out on time, deferred; each then got one update naming its input and the answer.
        Assert.All(outputs.Values, o => Assert.Equal("deferred", JsonDocument.Parse(o.Value).RootElement.GetProperty("ipEnrichment").GetProperty("status").GetString()));
        Assert.Equal(20, updates.Count);
        foreach (var (_, update) in updates)
        {
            using var doc = JsonDocument.Parse(update.Value);
            var input = doc.RootElement.GetProperty("input");
            var alert = outputs.Values.Single(o => o.Key == update.Key);
            Assert.Equal("in", input.GetProperty("topic").GetString());
            Assert.Equal(update.Key, doc.RootElement.GetProperty("key").GetString());
            var entry = Assert.Single(doc.RootElement.GetProperty("ips").EnumerateArray());
            Assert.Equal(JsonDocument.Parse(alert.Value).RootElement.GetProperty("src_ip").GetString(), entry.GetProperty("ip").GetString());
            Assert.Equal(update.Key == "k0" ? "found" : "not_seen", entry.GetProperty("status").GetString());
            if (update.Key == "k0")
            {
                Assert.Equal(2, entry.GetProperty("organizationPrevalence").GetInt32());
            }
        }

        Assert.Equal(20, worker.Services.GetRequiredService<KafkaPipeline>().LateUpdates);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Late_updates_still_waiting_when_the_worker_stops_are_published_before_it_exits()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cluster = PipelineSetup.Cluster(2);
        cluster.CreateTopic("updates", 2);
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync("--Emulator:Quota:Enabled=false");
        await using var worker = await StartWithSlowApiAsync(cluster, emulator, latencyMs: 2500, maxWait: "00:00:00.100");
        var pipeline = worker.Services.GetRequiredService<KafkaPipeline>();

        await WriteAlertsAsync(cluster, 10, i => $"198.51.100.{i + 1}");

        // Every alert is out, deferred, while its lookup still runs: stop now, as a rolling upgrade would.
        await Eventually.UntilAsync(() => pipeline.Delivered >= 10, TimeSpan.FromSeconds(60), "the 10 alerts are published", ct);
        await worker.StopAsync(ct);
        await worker.DisposeAsync();

        Assert.Equal(10, Read(cluster, "updates", 10).Count);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task In_exactly_once_mode_late_updates_are_committed_like_any_output()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cluster = PipelineSetup.Cluster(2);
        cluster.CreateTopic("updates", 2);
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync("--Emulator:Quota:Enabled=false");
        await using var worker = await StartWithSlowApiAsync(cluster, emulator, latencyMs: 800, maxWait: "100ms", ("Kafka:Transactions", "true"));

        await WriteAlertsAsync(cluster, 10, i => $"198.51.100.{i + 1}");

        // The reader is read_committed (librdkafka's default): it sees only what a committed transaction holds.
        var updates = Read(cluster, "updates", 10);
        Assert.Equal(10, updates.Count);
        // The sink counts an update once its transaction's commit is reported, a moment after readers can see it.
        var pipeline = worker.Services.GetRequiredService<KafkaPipeline>();
        await Eventually.UntilAsync(() => pipeline.LateUpdates == 10, TimeSpan.FromSeconds(10), "the 10 updates are counted as committed", ct);
        Assert.Equal(Enumerable.Range(0, 10).Select(i => $"k{i}").Order(), updates.Values.Select(u => u.Key).Order());
    }

    /// <summary>A worker publishing late updates to <c>updates</c>, in front of an API slower than its <paramref name="maxWait"/>.</summary>
    private static async Task<RunningWorker> StartWithSlowApiAsync(MockKafkaCluster cluster, RunningEmulator emulator, int latencyMs, string maxWait,
        params (string Key, string Value)[] extra)
    {
        await emulator.SetFaultsAsync(new FaultOptions { LatencyMs = latencyMs });
        var settings = PipelineSetup.Settings(emulator, cluster);
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        settings["Enrichment:UpdatesTopic"] = "updates";
        settings["Enrichment:MaxWait"] = maxWait;
        return await RunningWorker.StartAsync(settings, "--Logging:LogLevel:Default=Warning");
    }

    /// <summary>Alerts <c>k0</c>… to <c>in</c>, one address each.</summary>
    private static async Task WriteAlertsAsync(MockKafkaCluster cluster, int count, Func<int, string> ipOf) =>
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers, Enumerable.Range(0, count)
            .Select(i => new Message<string, string> { Key = $"k{i}", Value = $$"""{"seq":{{i}},"src_ip":"{{ipOf(i)}}"}""" }));

    /// <summary>Reads <paramref name="count"/> records (by key) from a topic, keyed by input offset for the alert topic.</summary>
    private static Dictionary<string, (string Key, string Value)> Read(MockKafkaCluster cluster, string topic, int count)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers, GroupId = "verify-" + topic, AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(topic);
        var records = new Dictionary<string, (string, string)>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (records.Count < count && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } r)
            {
                records[$"{r.Partition.Value}:{r.Offset.Value}"] = (r.Message.Key, r.Message.Value);
            }
        }

        consumer.Close();
        return records;
    }
}
