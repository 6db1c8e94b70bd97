using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// <c>load --chaos</c> (issue 8): two worker processes in one group consume a steady stream while faults are applied
/// one phase at a time — SIGKILL and restart of a worker, the broker down with injected produce errors, Redis killed
/// and restarted empty, an API 5xx storm, a forced 429 window. Every alert carries a sequence number; a reader
/// follows the output throughout and each phase reports lost (never published), duplicates (published more than once),
/// the statuses it was published with and its worst latency. Exit code 1 when the workers lost anything; alerts the
/// mock broker acknowledged and never appended (<see cref="ChaosAudit"/>) are counted apart.
/// </summary>
internal static class ChaosRun
{
    private const int Partitions = 8;
    private const string Usage = "usage: load --chaos [--rate R] [--phase-seconds S] [--worker-logs DIR] [--kafka-debug CONTEXTS]";

    private static readonly Dictionary<string, OptionKind> Options = new()
    {
        ["--chaos"] = OptionKind.Flag,
        ["--rate"] = OptionKind.Integer,
        ["--phase-seconds"] = OptionKind.Integer,
        ["--worker-logs"] = OptionKind.Text,
        ["--kafka-debug"] = OptionKind.Text,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (HarnessArgs.Problem(args, Options) is { } problem)
        {
            return HarnessArgs.Refuse(Usage, problem);
        }

        string? Get(string name) => HarnessArgs.Value(args, name);
        var rate = int.Parse(Get("--rate") ?? "300", CultureInfo.InvariantCulture);
        var phaseSeconds = int.Parse(Get("--phase-seconds") ?? "8", CultureInfo.InvariantCulture);
        // The workers' console output: always kept, because the audit reads their implicit acknowledgements from it.
        var logs = Directory.CreateDirectory(Get("--worker-logs") ?? Path.Combine(Path.GetTempPath(), $"ipenrich-chaos-{Environment.ProcessId}")).FullName;
        var started = 0;
        string LogFile() => Path.Combine(logs, $"worker-{++started}.log");
        if (RedisServer.BinaryPath is null)
        {
            Console.Error.WriteLine("load --chaos: redis-server is not installed (apt-get install redis-server); the Redis phase needs it.");
            return 2;
        }

        await using var redis = await RedisServer.StartOrSkipAsync();
        using var cluster = new MockKafkaCluster();
        cluster.CreateTopic("chaos-in", Partitions);
        cluster.CreateTopic("chaos-out", Partitions);
        cluster.CreateTopic("dlq", 1);
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync("--Emulator:Quota:Enabled=false");
        var settings = LoadSettings.Worker(cluster, emulator, redis, "chaos-in", "chaos-out", "ipenrich-chaos");
        settings["Enrichment:MaxWait"] = "00:00:02";
        settings["Kafka:Settings:socket.timeout.ms"] = "5000"; // requests lost with the broker fail fast
        settings["Kafka:Settings:session.timeout.ms"] = "6000"; // a killed worker's partitions move on within seconds
        settings["Kafka:Settings:heartbeat.interval.ms"] = "1000";
        settings["Defender:Resilience:MaxRetries"] = "0";
        settings["Defender:Resilience:BreakDuration"] = "00:00:01";
        if (Get("--kafka-debug") is { } debug)
        {
            settings["Kafka:Settings:debug"] = debug; // e.g. eos: the producer's librdkafka lines (IMPLICITACK) go to the worker logs
        }

        Console.WriteLine($"load --chaos: 2 worker processes, {Partitions} partitions, {rate} alerts/s, {phaseSeconds} s per phase; worker logs in {logs}");

        var workers = new[] { WorkerProcess.Start(settings, LogFile()), WorkerProcess.Start(settings, LogFile()) };
        var output = new OutputFollower(cluster.BootstrapServers, "chaos-out");
        using var stream = new ChaosAlertStream(cluster.BootstrapServers, "chaos-in", rate);
        var phases = new List<Phase>();
        try
        {
            output.Start();
            await WaitForAsync(() => output.Distinct > 0, TimeSpan.FromMinutes(2), "the workers published nothing");
            var faultFor = TimeSpan.FromSeconds(Math.Min(3, phaseSeconds / 2.0));
            async Task RunPhaseAsync(string name, Func<Task> fault, Func<Task> heal, int? startingAt = null)
            {
                var from = startingAt ?? stream.Next;
                var clock = Stopwatch.StartNew();
                await fault();
                await Task.Delay(faultFor);
                await heal();
                await Task.Delay(TimeSpan.FromSeconds(phaseSeconds) - clock.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
                phases.Add(new Phase(name, from, stream.Next));
                Console.WriteLine($"  {name,-28} done: seq {from:N0}..{stream.Next - 1:N0}");
            }

            // The alerts written while the workers started and joined the group belong to a phase too: without it they
            // were checked for loss by nobody, and their catching-up showed as the steady phase's timeouts.
            await RunPhaseAsync("start-up", NoFault, NoFault, startingAt: 0);
            await RunPhaseAsync("steady", NoFault, NoFault);
            // The kill comes after the broker phase: librdkafka's mock coordinator, taken down while a killed member's
            // partitions are being rebalanced, came back with a group that gave every partition to the new member while
            // the surviving member kept its own (two owners, every alert of those partitions published twice) — a mock
            // limitation a real coordinator fences with generations, not a behaviour of the worker.
            await RunPhaseAsync("broker down + request errors", () =>
            {
                cluster.PushRequestErrors(0 /* Produce */, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicas);
                cluster.SetBrokerDown(1);
                return Task.CompletedTask;
            }, () =>
            {
                cluster.SetBrokerUp(1);
                return Task.CompletedTask;
            });
            await RunPhaseAsync("redis kill, restart empty", redis.StopAsync, redis.StartAsync);
            await RunPhaseAsync("api 5xx storm", () => emulator.SetFaultsAsync(new FaultOptions { ErrorRate = 1.0 }), () => emulator.SetFaultsAsync(new FaultOptions()));
            await RunPhaseAsync("api 429 window", () => emulator.SetFaultsAsync(new FaultOptions { Force429Seconds = (int)faultFor.TotalSeconds }), NoFault);
            await RunPhaseAsync("worker kill -9, restart", () => WorkerProcess.KillAsync(workers[0]), () =>
            {
                workers[0].Dispose();
                workers[0] = WorkerProcess.Start(settings, LogFile());
                return Task.CompletedTask;
            });
            await RunPhaseAsync("healed", NoFault, NoFault);
            stream.Stop();
            await WaitForAsync(() => output.Distinct >= stream.Next, TimeSpan.FromMinutes(3), null);
            await Task.Delay(TimeSpan.FromSeconds(3)); // late duplicates, if any
        }
        finally
        {
            stream.Stop();
            await output.StopAsync();
            foreach (var worker in workers)
            {
                await WorkerProcess.KillAsync(worker);
                worker.Dispose();
            }
        }

        var missing = phases.SelectMany(p => Enumerable.Range(p.From, p.To - p.From))
            .Where(seq => !output.Seen.ContainsKey(seq) && !stream.NotWritten.ContainsKey(seq)).Take(50).ToList();
        var lostByBroker = ChaosAudit.Run(cluster.BootstrapServers, missing, ChaosAudit.ImplicitOutputs(logs), stream.ImplicitlyAcknowledged);
        return Report(phases, output, stream.NotWritten, lostByBroker);
    }

    private static Task NoFault() => Task.CompletedTask;

    private static async Task WaitForAsync(Func<bool> condition, TimeSpan limit, string? failure)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                if (failure is not null)
                {
                    throw new InvalidOperationException("load --chaos: " + failure);
                }

                return;
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The table and the JSON line; <paramref name="lostByBroker"/> (see <see cref="ChaosAudit"/>) are counted apart and fail nothing.</summary>
    private static int Report(List<Phase> phases, OutputFollower output, System.Collections.Concurrent.ConcurrentDictionary<int, string> notWritten, HashSet<int> lostByBroker)
    {
        foreach (var (seq, reason) in notWritten.Take(5))
        {
            Console.WriteLine($"  input seq {seq} was never written to the input topic: {reason}");
        }

        var json = new StringBuilder("{\"chaos\":true,\"phases\":[");
        var (totalLost, totalBroker, totalDuplicates, total) = (0, 0, 0, 0);
        Console.WriteLine();
        Console.WriteLine($"{"phase",-30} {"alerts",7} {"lost",5} {"mock",5} {"dups",5} {"max latency",12}  statuses");
        foreach (var phase in phases)
        {
            var (lost, broker, duplicates, worst) = (0, 0, 0, 0.0);
            var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (var seq = phase.From; seq < phase.To; seq++)
            {
                if (notWritten.ContainsKey(seq))
                {
                    continue;
                }

                if (!output.Seen.TryGetValue(seq, out var seen) && lostByBroker.Contains(seq))
                {
                    broker++;
                    Console.WriteLine($"  lost by the mock broker: seq {seq} ({phase.Name})");
                    continue;
                }

                if (seen is null)
                {
                    if (++lost <= 5)
                    {
                        Console.WriteLine($"  lost: seq {seq} ({phase.Name})");
                    }

                    continue;
                }

                duplicates += seen.Count - 1;
                worst = Math.Max(worst, seen.FirstLatencyMs);
                statuses[seen.Status] = statuses.GetValueOrDefault(seen.Status) + 1;
            }

            (totalLost, totalBroker, totalDuplicates, total) = (totalLost + lost, totalBroker + broker, totalDuplicates + duplicates, total + phase.To - phase.From);
            var text = string.Join(", ", statuses.Select(s => $"{s.Key} {s.Value}"));
            Console.WriteLine($"{phase.Name,-30} {phase.To - phase.From,7:N0} {lost,5} {broker,5} {duplicates,5} {worst / 1000,10:F1} s  {text}");
            json.Append(CultureInfo.InvariantCulture, $"{{\"name\":{JsonSerializer.Serialize(phase.Name)},\"alerts\":{phase.To - phase.From},\"lost\":{lost},\"lostByMockBroker\":{broker},\"duplicates\":{duplicates},\"maxLatencyMs\":{worst:F0},\"statuses\":{JsonSerializer.Serialize(statuses)}}},");
        }

        json.Length--;
        json.Append(CultureInfo.InvariantCulture, $"],\"alerts\":{total},\"notWritten\":{notWritten.Count},\"lost\":{totalLost},\"lostByMockBroker\":{totalBroker},\"duplicates\":{totalDuplicates}}}");
        Console.WriteLine(totalLost == 0 ? "lost 0: every alert was published" : $"LOST {totalLost} alerts");
        if (totalBroker > 0)
        {
            // librdkafka's mock appends an idempotent producer's later batch without checking sequences (ChaosAudit).
            Console.WriteLine($"lost by the mock broker: {totalBroker} alerts acknowledged implicitly by librdkafka and never appended");
        }
        Console.WriteLine(json);
        return totalLost == 0 ? 0 : 1;
    }

    private sealed record Phase(string Name, int From, int To);
}
