using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Worker.Tests.Backlog;

/// <summary>
/// Bulk statistics end to end: a real <c>ipenrich</c> process with <c>Bulk:Enabled</c>, a real redis-server, the
/// mock cluster and the emulator (IP statistics and advanced hunting over one event store). A burst names 10,000 new
/// IPs; every alert must get its late update, from few hunting calls, with the numbers the event store implies.
/// </summary>
[Trait("Category", "Integration")]
[Collection(RunAlone.Name)]
public sealed class BulkDrainProcessTests(ITestOutputHelper output)
{
    private const int Ips = 10_000;
    private const int Partitions = 6;

    [Fact]
    public async Task A_burst_of_10000_new_ips_is_answered_within_30_s_by_at_most_25_hunting_calls_with_the_event_stores_numbers()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync();
        var now = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()); // millisecond times, as the cache keeps them
        var expected = await SeedEventsAsync(emulator, now);
        using var cluster = PipelineSetup.Cluster(Partitions);
        cluster.CreateTopic("updates", 3);
        var settings = PipelineSetup.Settings(emulator, cluster, unlimitedQuota: false);
        settings["Kafka:GroupId"] = "bulk";
        settings["Redis:ConnectionString"] = redis.ConnectionString;
        settings["Enrichment:UpdatesTopic"] = "updates";
        settings["Enrichment:MaxWait"] = "00:00:00.200";
        settings["Defender:GraphBaseUrl"] = emulator.BaseAddress.ToString().TrimEnd('/');
        settings["Bulk:Enabled"] = "true";
        settings["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ";
        // One worker: a second joining the mock cluster's group can leave partitions unassigned for tens of seconds.
        await using var fleet = await WorkerFleet.StartAsync(settings, 1, "bulk", ct);
        using var updates = new TopicFollower(cluster.BootstrapServers, "updates", 3);
        using var outputs = new TopicFollower(cluster.BootstrapServers, "out", Partitions);

        var clock = Stopwatch.StartNew();
        await ProduceAsync(cluster);
        // An alert whose IP was answered within its wait has it in its output; every other one gets a late update.
        await Eventually.UntilAsync(() => Answers(outputs, updates).Count >= Ips, TimeSpan.FromSeconds(60), "every alert is answered, in its output or a late update", ct);
        var answeredIn = clock.Elapsed;

        var answers = Answers(outputs, updates);
        var (hunting, _) = await emulator.GetHuntingCallsAsync();
        var viaHunting = answers.Values.Count(a => a.ViaHunting);
        output.WriteLine($"{answers.Count} IPs answered in {answeredIn.TotalSeconds:0.0} s; {hunting} hunting calls; {viaHunting} answers via hunting, "
            + $"{answers.Count - viaHunting} via the IP statistics API; logs in {fleet.Logs}");
        Assert.True(answeredIn <= TimeSpan.FromSeconds(30), $"answered in {answeredIn.TotalSeconds:0.0} s");
        Assert.InRange(hunting, 1, 25);
        Assert.True(viaHunting >= Ips * 9 / 10, $"{viaHunting} via hunting"); // the per-IP budget answers ~100 a minute beside it
        Assert.All(Enumerable.Range(0, Ips), i =>
        {
            var ip = Ip(i).ToString();
            Assert.Equal(expected.GetValueOrDefault(ip), answers[ip].Stats);
        });
        // The drain's own parts must not complain; a loaded machine's Kafka or Redis hiccups are shown, not judged.
        var loud = fleet.Entries().Where(e => e.Level is "warn" or "fail" or "crit" && e.Category.StartsWith("IpEnrich", StringComparison.Ordinal)).ToList();
        loud.Where(IsTransport).ToList().ForEach(e => output.WriteLine($"transport: {e}"));
        Assert.True(loud.TrueForAll(IsTransport), $"the worker complained: {string.Join("\n", loud.Where(e => !IsTransport(e)))}");
    }

    private static bool IsTransport(LogEntry entry) =>
        entry.Category.StartsWith("IpEnrich.Worker.Kafka.", StringComparison.Ordinal) || entry.Category.StartsWith("IpEnrich.Worker.Redis.", StringComparison.Ordinal);

    private static IPAddress Ip(int i) => i % 10 == 9
        ? IPAddress.Parse(string.Create(CultureInfo.InvariantCulture, $"2001:db8:90::{i:x}"))
        : new IPAddress([10, 90, (byte)(i / 250), (byte)((i % 250) + 1)]);

    /// <summary>Events for every third IP (1–4 devices, some recorded in the IPv4-mapped form); returns what the statistics must say.</summary>
    private static async Task<Dictionary<string, (long, DateTimeOffset?, DateTimeOffset?)>> SeedEventsAsync(RunningEmulator emulator, DateTimeOffset now)
    {
        var events = new List<(string DeviceId, string RemoteIp, DateTimeOffset Timestamp)>();
        var expected = new Dictionary<string, (long, DateTimeOffset?, DateTimeOffset?)>();
        for (var i = 0; i < Ips; i += 3)
        {
            var ip = Ip(i);
            var devices = 1 + (i % 4);
            var times = Enumerable.Range(0, devices).Select(d => now.AddHours(-1 - (((i * 7) + (d * 13)) % 600)).AddMilliseconds(-(i % 1000))).ToList();
            for (var d = 0; d < devices; d++)
            {
                var recorded = ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && d % 2 == 1 ? "::ffff:" + ip : ip.ToString();
                events.Add(($"device-{i % 97}-{d}", recorded, times[d]));
            }

            expected[ip.ToString()] = (devices, times.Min(), times.Max());
        }

        foreach (var chunk in events.Chunk(5_000))
        {
            await emulator.AddEventsAsync(chunk);
        }

        return expected;
    }

    private static async Task ProduceAsync(MockKafkaCluster cluster) =>
        await TopicWriter.WriteAsync(cluster.BootstrapServers, Enumerable.Range(0, Ips).Select(i => (new TopicPartition("in", i % Partitions),
            new Message<string, string> { Key = $"k{i}", Value = $$"""{"seq":{{i}},"src_ip":"{{Ip(i)}}"}""" })));

    /// <summary>
    /// The final answer per IP: from the alert's output when it had one, else from its late update; its statistics
    /// (prevalence, first, last) and whether hunting computed it.
    /// </summary>
    private static Dictionary<string, ((long, DateTimeOffset?, DateTimeOffset?) Stats, bool ViaHunting)> Answers(TopicFollower outputs, TopicFollower updates)
    {
        var answers = new Dictionary<string, ((long, DateTimeOffset?, DateTimeOffset?), bool)>();
        foreach (var (record, isUpdate) in outputs.Snapshot().Select(r => (r, false)).Concat(updates.Snapshot().Select(r => (r, true))))
        {
            using var doc = JsonDocument.Parse(record.Value);
            var list = (isUpdate ? doc.RootElement : doc.RootElement.GetProperty("ipEnrichment")).GetProperty("ips");
            foreach (var entry in list.EnumerateArray().Where(e => e.GetProperty("status").GetString() is "found" or "not_seen"))
            {
                DateTimeOffset? Time(string name) => entry.GetProperty(name).ValueKind == JsonValueKind.Null ? null : entry.GetProperty(name).GetDateTimeOffset();
                var stats = (entry.GetProperty("organizationPrevalence").GetInt64(), Time("orgFirstSeen"), Time("orgLastSeen"));
                answers[entry.GetProperty("ip").GetString()!] = (stats.Item1 == 0 ? default : stats, entry.TryGetProperty("via", out var via) && via.GetString() == "hunting");
            }
        }

        return answers;
    }
}
