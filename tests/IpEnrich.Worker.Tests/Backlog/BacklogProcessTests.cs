using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Worker.Tests.Backlog;

/// <summary>
/// Issue 19 (b) and (c) from outside: real <c>ipenrich</c> processes in one group sharing the backlog through a real
/// redis-server, in front of the emulator enforcing the quota on short windows (3 s / 30 s, so the drain takes seconds),
/// on the mock cluster. The emulator's call log is the judge of the budget; the updates topic, of the late updates.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class BacklogProcessTests(ITestOutputHelper output)
{
    private const int Partitions = 6;
    private const int PerMinute = 40;
    private const int PerHour = 1000; // 30 s "hour": never the binding limit here, the reserve included
    private static readonly TimeSpan MinuteWindow = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan HourWindow = TimeSpan.FromSeconds(30);
    private static readonly int EffectivePerMinute = (int)Math.Floor(PerMinute * 0.95);
    private const int Concurrency = 8;

    [Fact]
    public async Task Three_worker_processes_drain_a_burst_at_the_budget_ask_no_ip_twice_and_update_every_deferred_alert()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        const int ips = 300;
        const int alerts = 400; // the last 100 name IPs of earlier alerts: several waiters per IP
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync(EmulatorQuota);
        using var cluster = PipelineSetup.Cluster(Partitions);
        cluster.CreateTopic("updates", 3);
        var settings = Settings(emulator, cluster, redis);
        await using var fleet = await WorkerFleet.StartAsync(settings, 3, "backlog-processes", ct);
        var logs = fleet.Logs;
        using var outputs = new TopicFollower(cluster.BootstrapServers, "out", Partitions);
        using var updates = new TopicFollower(cluster.BootstrapServers, "updates", 3);
        var started = clock.Elapsed;
        var inputs = await ProduceBurstAsync(cluster, alerts, ips);

        await Eventually.UntilAsync(async () => outputs.Distinct().Count >= alerts && AllUpdated(outputs, updates, inputs) && (await AskedIpsAsync(emulator)) >= ips,
            TimeSpan.FromSeconds(75), "every alert is out, every IP asked and every deferred alert updated", ct);
        var drained = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(1), ct); // extra calls or updates, if any, would show now

        var calls = await StatsCallsAsync(emulator);
        var deferred = DeferredAlerts(outputs, inputs);
        var perAlert = UpdatesPerAlert(updates);
        var windows = FullWindows(calls);
        output.WriteLine($"workers ready after {started.TotalSeconds:0.0} s, drained {(drained - started).TotalSeconds:0.0} s after the burst; logs in {logs}");
        output.WriteLine($"calls {calls.Count} for {calls.Select(c => c.Ip).Distinct().Count()} IPs, 429s {calls.Count(c => c.Status == 429)}; "
            + $"per {MinuteWindow.TotalSeconds:0} s window (effective budget {EffectivePerMinute}): [{string.Join(", ", windows)}]");
        output.WriteLine($"outputs {outputs.Count} ({outputs.Distinct().Count} distinct), deferred alerts {deferred.Count}, "
            + $"update records {updates.Count} for {perAlert.Count} alerts (max {(perAlert.Count == 0 ? 0 : perAlert.Values.Max())} per alert)");

        var sent = SentByWorkers(logs);
        output.WriteLine($"requests sent per the workers' logs {sent.Values.Sum()} for {sent.Count} IPs");
        output.WriteLine(AskedTwice(calls));
        Assert.Equal(alerts, inputs.Count);
        Assert.All(sent, ip => Assert.Equal(1, ip.Value)); // not even a request the emulator did not answer
        Assert.DoesNotContain(calls, c => c.Status == 429);
        Assert.Equal(ips, calls.Count);
        Assert.Equal(ips, calls.Select(c => c.Ip).Distinct().Count());
        Assert.All(windows, count => Assert.InRange(count, 0, EffectivePerMinute));
        // The pace is judged while a budget's worth of IPs still waited: in the last window fewer are left, and a
        // stall of the test host (which runs the emulator and the broker) can stretch the tail over a full window.
        var busy = BusyWindows(windows, ips);
        Assert.True(busy.Count >= 3, $"the budget was short for at least three full windows ({busy.Count})");
        Assert.All(busy, count => Assert.InRange(count, (int)Math.Ceiling(0.9 * EffectivePerMinute), EffectivePerMinute));
        Assert.True(deferred.Count >= alerts - (2 * EffectivePerMinute), $"most alerts went out deferred for quota ({deferred.Count})");
        Assert.All(deferred, alert => Assert.True(perAlert.GetValueOrDefault(alert) >= 1, $"alert {alert} went out deferred and got no late update"));
        Assert.All(perAlert.Keys, alert => Assert.Contains(alert, deferred)); // updates only for alerts that went out deferred
    }

    [Fact]
    public async Task A_worker_killed_mid_drain_loses_no_late_update_and_re_asks_at_most_its_in_flight_lookups()
    {
        var ct = TestContext.Current.CancellationToken;
        var clock = Stopwatch.StartNew();
        const int ips = 200;
        const int alerts = 250;
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync(EmulatorQuota);
        await emulator.SetFaultsAsync(new FaultOptions { LatencyMs = 150 }); // calls in flight long enough for the kill to catch some
        using var cluster = PipelineSetup.Cluster(Partitions);
        cluster.CreateTopic("updates", 3);
        var settings = Settings(emulator, cluster, redis);
        await using var fleet = await WorkerFleet.StartAsync(settings, 2, "backlog-processes", ct);
        var (logs, workers, ports) = (fleet.Logs, fleet.Workers, fleet.Ports);
        using var outputs = new TopicFollower(cluster.BootstrapServers, "out", Partitions);
        using var updates = new TopicFollower(cluster.BootstrapServers, "updates", 3);
        var started = clock.Elapsed;
        var inputs = await ProduceBurstAsync(cluster, alerts, ips);

        // Mid-drain: some updates out, then the kill just as a window opens and the next calls go.
        await Eventually.UntilAsync(() => updates.Count >= 30, TimeSpan.FromSeconds(40), "the first late updates are published", ct);
        var before = (await StatsCallsAsync(emulator)).Count;
        await Eventually.UntilAsync(async () => (await StatsCallsAsync(emulator)).Count > before, TimeSpan.FromSeconds(10), "the next window's calls start", ct);
        await WorkerProcess.KillAsync(workers[0]);
        var killedAt = clock.Elapsed;
        var (callsAtKill, updatesAtKill) = ((await StatsCallsAsync(emulator)).Count, updates.Count);
        workers[0].Dispose();
        workers[0] = WorkerProcess.Start(settings, Path.Combine(logs, "worker-0-restarted.log"), ports[0]);

        await Eventually.UntilAsync(async () => outputs.Distinct().Count >= alerts && AllUpdated(outputs, updates, inputs) && (await AskedIpsAsync(emulator)) >= ips,
            TimeSpan.FromSeconds(75), "every alert is out, every IP asked and every deferred alert updated after the restart", ct);
        var drained = clock.Elapsed;
        await Task.Delay(TimeSpan.FromSeconds(1), ct);

        var calls = await StatsCallsAsync(emulator);
        var deferred = DeferredAlerts(outputs, inputs);
        var perAlert = UpdatesPerAlert(updates);
        // The emulator logs a call when it answers: one the kill cut short (its latency not over) is not in its log,
        // though it took a slot. The workers' own logs name every request they sent (except lines a killed process
        // had not yet written): an IP counts as asked as often as the larger of the two says.
        var sent = SentByWorkers(logs);
        var logged = calls.GroupBy(c => c.Ip!).ToDictionary(g => g.Key, g => g.Count());
        var askedAgain = logged.Keys.Union(sent.Keys).Sum(ip => Math.Max(logged.GetValueOrDefault(ip), sent.GetValueOrDefault(ip)) - 1);
        output.WriteLine($"requests sent per the workers' logs {sent.Values.Sum()} for {sent.Count} IPs; asked again per the emulator "
            + $"{calls.Count - logged.Count}, per the workers {sent.Values.Sum() - sent.Count}, per IP the larger: {askedAgain}");
        output.WriteLine($"workers ready after {started.TotalSeconds:0.0} s; killed at {(killedAt - started).TotalSeconds:0.0} s after the burst "
            + $"({callsAtKill} calls, {updatesAtKill} update records so far); drained {(drained - started).TotalSeconds:0.0} s after the burst; logs in {logs}");
        output.WriteLine($"calls {calls.Count} for {calls.Select(c => c.Ip).Distinct().Count()} IPs (asked again: {askedAgain}), 429s {calls.Count(c => c.Status == 429)}; "
            + $"per window: [{string.Join(", ", FullWindows(calls))}]");
        output.WriteLine($"outputs {outputs.Count} ({outputs.Distinct().Count} distinct), deferred alerts {deferred.Count}, update records {updates.Count} "
            + $"for {perAlert.Count} alerts, duplicates {perAlert.Values.Sum(n => n - 1)}");

        output.WriteLine(AskedTwice(calls));
        Assert.DoesNotContain(calls, c => c.Status == 429);
        Assert.Equal(ips, calls.Select(c => c.Ip).Distinct().Count());
        Assert.InRange(askedAgain, 0, Concurrency); // only what the killed process had in flight, once its lease ended
        Assert.True(deferred.Count >= alerts / 2, $"most alerts went out deferred for quota ({deferred.Count})");
        Assert.All(deferred, alert => Assert.True(perAlert.GetValueOrDefault(alert) >= 1, $"alert {alert} went out deferred and got no late update"));
    }

    internal static string[] EmulatorQuota =>
    [
        $"--Emulator:Quota:PerMinute={PerMinute}", $"--Emulator:Quota:PerHour={PerHour}",
        $"--Emulator:Quota:MinuteWindow={MinuteWindow:c}", $"--Emulator:Quota:HourWindow={HourWindow:c}",
    ];

    /// <summary>Worker settings: the emulator's quota mirrored, Redis, an updates topic, short waits, leases and Kafka timeouts.</summary>
    internal static Dictionary<string, string?> Settings(RunningEmulator emulator, MockKafkaCluster cluster, RedisServer redis)
    {
        var settings = PipelineSetup.Settings(emulator, cluster, unlimitedQuota: false);
        settings["Kafka:GroupId"] = "backlog-processes";
        settings["Redis:ConnectionString"] = redis.ConnectionString;
        settings["Enrichment:UpdatesTopic"] = "updates";
        settings["Enrichment:MaxWait"] = "00:00:00.500";
        settings["Quota:PerMinute"] = PerMinute.ToString(CultureInfo.InvariantCulture);
        settings["Quota:PerHour"] = PerHour.ToString(CultureInfo.InvariantCulture);
        settings["Quota:MinuteWindow"] = MinuteWindow.ToString("c");
        settings["Quota:HourWindow"] = HourWindow.ToString("c");
        settings["Backlog:ClaimLease"] = "00:00:03";
        settings["Backlog:Concurrency"] = Concurrency.ToString(CultureInfo.InvariantCulture);
        // The mock coordinator waits for a member's max.poll.interval.ms before it hands revoked partitions on: keep it short.
        settings["Kafka:Settings:max.poll.interval.ms"] = "10000";
        settings["Kafka:Settings:session.timeout.ms"] = "6000";
        settings["Kafka:Settings:heartbeat.interval.ms"] = "1000";
        settings["Logging:Console:FormatterOptions:TimestampFormat"] = "HH:mm:ss.fff ";
        return settings;
    }

    /// <summary>
    /// <paramref name="alerts"/> alerts, one IP each, spread over the partitions; alert i names IP i mod <paramref name="ips"/>.
    /// Returns each alert's input position by its sequence number.
    /// </summary>
    internal static async Task<Dictionary<int, (int Partition, long Offset)>> ProduceBurstAsync(MockKafkaCluster cluster, int alerts, int ips, int firstSeq = 0)
    {
        var sent = await TopicWriter.WriteAsync(cluster.BootstrapServers, Enumerable.Range(firstSeq, alerts).Select(seq =>
        {
            var ip = firstSeq + ((seq - firstSeq) % ips);
            var value = $$"""{"seq":{{seq}},"src_ip":"10.77.{{ip / 250}}.{{(ip % 250) + 1}}"}""";
            return (new TopicPartition("in", seq % Partitions), new Message<string, string> { Key = $"k{seq}", Value = value });
        }));
        return sent.Select((r, i) => (Seq: firstSeq + i, r)).ToDictionary(x => x.Seq, x => (x.r.Partition.Value, x.r.Offset.Value));
    }

    internal static async Task<List<(DateTimeOffset At, string? Ip, int Status)>> StatsCallsAsync(RunningEmulator emulator) =>
        [.. (await emulator.GetCallLogAsync()).Where(c => c.Ip is not null).OrderBy(c => c.At)];

    internal static async Task<int> AskedIpsAsync(RunningEmulator emulator) =>
        (await StatsCallsAsync(emulator)).Where(c => c.Status is 200 or 404).Select(c => c.Ip).Distinct().Count();

    /// <summary>
    /// Calls in each window of <see cref="MinuteWindow"/> from the first call, for the windows that end before the last
    /// call: the backlog (all wanted from the burst on) lasted through each of them.
    /// </summary>
    private static List<int> FullWindows(List<(DateTimeOffset At, string? Ip, int Status)> calls)
    {
        if (calls.Count == 0)
        {
            return [];
        }

        var (first, last) = (calls[0].At, calls[^1].At);
        var full = (int)Math.Floor((last - first) / MinuteWindow);
        return [.. Enumerable.Range(0, full).Select(k => calls.Count(c => c.At >= first + (k * MinuteWindow) && c.At < first + ((k + 1) * MinuteWindow)))];
    }

    /// <summary>The leading <paramref name="windows"/> at whose start at least a window's budget of the <paramref name="ips"/> was still unasked.</summary>
    private static List<int> BusyWindows(List<int> windows, int ips)
    {
        var (busy, asked) = (new List<int>(), 0);
        foreach (var count in windows)
        {
            if (ips - asked < EffectivePerMinute)
            {
                break;
            }

            busy.Add(count);
            asked += count;
        }

        return busy;
    }

    /// <summary>Requests to the stats API per IP, as the workers logged them when sending (HttpClient's Information log).</summary>
    private static Dictionary<string, int> SentByWorkers(string logs)
    {
        var sent = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(logs, "*.log"))
        {
            foreach (var line in File.ReadLines(file))
            {
                if (SentRequest().Match(line) is { Success: true } match)
                {
                    sent[match.Groups[1].Value] = sent.GetValueOrDefault(match.Groups[1].Value) + 1;
                }
            }
        }

        return sent;
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Sending HTTP request GET \S+/api/ips/([^/]+)/stats")]
    private static partial System.Text.RegularExpressions.Regex SentRequest();

    /// <summary>The IPs asked more than once, each with its calls' times (seconds from the first call) and statuses.</summary>
    private static string AskedTwice(List<(DateTimeOffset At, string? Ip, int Status)> calls) =>
        "asked more than once: " + string.Join("; ", calls.GroupBy(c => c.Ip).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key} at {string.Join(", ", g.Select(c => $"{(c.At - calls[0].At).TotalSeconds:0.00} s ({c.Status})"))}"));

    /// <summary>The input positions of the alerts published at least once with the status <c>deferred</c>.</summary>
    internal static HashSet<(int Partition, long Offset)> DeferredAlerts(TopicFollower outputs, Dictionary<int, (int Partition, long Offset)> inputs)
    {
        var deferred = new HashSet<(int, long)>();
        foreach (var record in outputs.Snapshot())
        {
            using var doc = JsonDocument.Parse(record.Value);
            if (doc.RootElement.GetProperty("ipEnrichment").GetProperty("status").GetString() == "deferred")
            {
                deferred.Add(inputs[doc.RootElement.GetProperty("seq").GetInt32()]);
            }
        }

        return deferred;
    }

    /// <summary>Update records per input position they point at.</summary>
    internal static Dictionary<(int Partition, long Offset), int> UpdatesPerAlert(TopicFollower updates)
    {
        var counts = new Dictionary<(int, long), int>();
        foreach (var record in updates.Snapshot())
        {
            using var doc = JsonDocument.Parse(record.Value);
            var input = doc.RootElement.GetProperty("input");
            Assert.Equal("in", input.GetProperty("topic").GetString());
            var key = (input.GetProperty("partition").GetInt32(), input.GetProperty("offset").GetInt64());
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }

    internal static bool AllUpdated(TopicFollower outputs, TopicFollower updates, Dictionary<int, (int Partition, long Offset)> inputs)
    {
        var perAlert = UpdatesPerAlert(updates);
        return DeferredAlerts(outputs, inputs).All(perAlert.ContainsKey);
    }
}
