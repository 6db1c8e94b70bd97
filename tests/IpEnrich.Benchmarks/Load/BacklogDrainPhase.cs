using System.Diagnostics;
using System.Globalization;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The backlog drain against a short budget (issue 19): the default quota (100 a minute, 1,500 an hour) on windows 20×
/// shorter (3 s, 3 min), enforced by an emulator of its own and mirrored by the workers, which share a Redis of their
/// own (the cold phase's quota keys would count against it). A burst of alerts naming <c>--backlog-ips</c> new IPs goes
/// through the replicas (worker processes); the emulator's call log gives the calls per minute-window while the
/// backlog lasts, against the effective budget (the limit less the 5 % safety margin). The cold phase itself cannot
/// show this: its quota is scaled up so that it never defers.
/// </summary>
internal static class BacklogDrainPhase
{
    private const int PerMinute = 100;
    private const int PerHour = 1500;
    private const int Partitions = 6;
    private static readonly TimeSpan MinuteWindow = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan HourWindow = TimeSpan.FromMinutes(3);

    public static int EffectivePerMinute => (int)Math.Floor(PerMinute * 0.95);

    public static async Task<Result?> RunAsync(MockKafkaCluster cluster, int replicas, int ips, string? logs)
    {
        if (ips <= 0 || RedisServer.BinaryPath is null)
        {
            return null;
        }

        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync($"--Emulator:Quota:PerMinute={PerMinute}", $"--Emulator:Quota:PerHour={PerHour}",
            $"--Emulator:Quota:MinuteWindow={MinuteWindow:c}", $"--Emulator:Quota:HourWindow={HourWindow:c}");
        foreach (var topic in new[] { "in-backlog", "out-backlog", "updates-backlog" })
        {
            cluster.CreateTopic(topic, Partitions);
        }

        var settings = LoadSettings.Worker(cluster, emulator, redis, "in-backlog", "out-backlog", "ipenrich-backlog");
        settings["Quota:PerMinute"] = PerMinute.ToString(CultureInfo.InvariantCulture);
        settings["Quota:PerHour"] = PerHour.ToString(CultureInfo.InvariantCulture);
        settings["Quota:MinuteWindow"] = MinuteWindow.ToString("c");
        settings["Quota:HourWindow"] = HourWindow.ToString("c");
        settings["Enrichment:MaxWait"] = "00:00:00.500";
        settings["Enrichment:UpdatesTopic"] = "updates-backlog";
        await using var workers = await WorkerReplicas.StartAsync(cluster, settings, "out-backlog", Partitions, replicas, logs, "ipenrich-backlog");
        var probes = await workers.FormGroupAsync(cluster, "in-backlog", Partitions, TimeSpan.FromMinutes(1));
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 5 }).Build();
        for (var i = 0; i < ips; i++)
        {
            producer.Produce("in-backlog", new Message<Null, string> { Value = $$"""{"seq":{{i}},"src_ip":"10.99.{{i / 250}}.{{(i % 250) + 1}}"}""" });
        }

        producer.Flush();
        var clock = Stopwatch.StartNew();
        List<(DateTimeOffset At, string? Ip, int Status)> calls = [];
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (calls.Select(c => c.Ip).Distinct().Count() < ips && DateTime.UtcNow < deadline && workers.Failure() is null)
        {
            await Task.Delay(250);
            calls = [.. (await emulator.GetCallLogAsync()).Where(c => c.Ip is not null).OrderBy(c => c.At)];
        }

        var drained = clock.Elapsed;
        long Delivered() => workers.Published() - probes;
        deadline = DateTime.UtcNow.AddSeconds(10); // every alert out, the unanswered ones after MaxWait
        while (Delivered() < ips && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100);
        }

        var awaiting = OutputCheck.AwaitingUpdates(cluster.BootstrapServers, "out-backlog", ips);
        var updates = workers.Published("updates-backlog", Partitions);
        deadline = DateTime.UtcNow.AddSeconds(10); // the last answers' updates follow their calls by the backlog's delivery
        while (updates < awaiting && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
            updates = workers.Published("updates-backlog", Partitions);
        }

        return new Result(ips, calls.Count, calls.Select(c => c.Ip).Distinct().Count(), calls.Count(c => c.Status == 429), FullWindows(calls), drained, Delivered(), awaiting, updates);
    }

    /// <summary>Calls per minute-window from the first call, for the windows that end before the last call (the backlog lasted through them).</summary>
    private static List<int> FullWindows(List<(DateTimeOffset At, string? Ip, int Status)> calls)
    {
        if (calls.Count == 0)
        {
            return [];
        }

        var first = calls[0].At;
        var full = (int)Math.Floor((calls[^1].At - first) / MinuteWindow);
        return [.. Enumerable.Range(0, full).Select(k => calls.Count(c => c.At >= first + (k * MinuteWindow) && c.At < first + ((k + 1) * MinuteWindow)))];
    }

    public sealed record Result(int Ips, int Calls, int DistinctIps, int Throttled, List<int> Windows, TimeSpan Drained, long Delivered, int Awaiting, long LateUpdates)
    {
        /// <summary>Mean calls per full minute-window over the effective budget; NaN without a full window.</summary>
        public double PerBudget => Windows.Count == 0 ? double.NaN : Windows.Average() / EffectivePerMinute;

        public double MinPerBudget => Windows.Count == 0 ? double.NaN : (double)Windows.Min() / EffectivePerMinute;

        public string Describe() =>
            $"{(Windows.Count == 0 ? 0 : Windows.Average()):F1} calls per minute-window on average (min {(Windows.Count == 0 ? 0 : Windows.Min())}) "
            + $"vs effective budget {EffectivePerMinute} ({PerBudget:P1}, min {MinPerBudget:P1}) over {Windows.Count} full windows; "
            + $"{DistinctIps:N0}/{Ips:N0} new IPs asked in {Drained.TotalSeconds:F1} s, {Calls:N0} calls, throttled {Throttled}; "
            + $"{Delivered:N0} alerts out, {Awaiting:N0} of them without every answer, {LateUpdates:N0} late updates{(LateUpdates < Awaiting ? $" ({Awaiting - LateUpdates:N0} MISSING)" : "")} (default budget {PerMinute}/min, {PerHour}/h on {MinuteWindow.TotalSeconds:0} s / {HourWindow.TotalMinutes:0} min windows)";
    }
}
