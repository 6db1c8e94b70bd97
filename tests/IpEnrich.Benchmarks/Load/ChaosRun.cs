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
/// the statuses it was published with and its worst latency. Exit code 1 when anything was lost.
/// </summary>
internal static class ChaosRun
{
    private const int Partitions = 8;

    public static async Task<int> RunAsync(string[] args)
    {
        string? Get(string name) => HarnessArgs.Value(args, name);
        var rate = int.Parse(Get("--rate") ?? "300", CultureInfo.InvariantCulture);
        var phaseSeconds = int.Parse(Get("--phase-seconds") ?? "8", CultureInfo.InvariantCulture);
        var logs = Get("--worker-logs"); // a directory for the workers' console output
        var started = 0;
        string? LogFile() => logs is null ? null : Path.Combine(logs, $"worker-{++started}.log");
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
        Console.WriteLine($"load --chaos: 2 worker processes, {Partitions} partitions, {rate} alerts/s, {phaseSeconds} s per phase");

        var workers = new[] { WorkerProcess.Start(settings, LogFile()), WorkerProcess.Start(settings, LogFile()) };
        var output = new OutputFollower(cluster.BootstrapServers, "chaos-out");
        using var stream = new ChaosAlertStream(cluster.BootstrapServers, "chaos-in", rate);
        var phases = new List<Phase>();
        try
        {
            output.Start();
            await WaitForAsync(() => output.Distinct > 0, TimeSpan.FromMinutes(2), "the workers published nothing");
            var faultFor = TimeSpan.FromSeconds(Math.Min(3, phaseSeconds / 2.0));
            async Task RunPhaseAsync(string name, Func<Task> fault, Func<Task> heal)
            {
                var from = stream.Next;
                var clock = Stopwatch.StartNew();
                await fault();
                await Task.Delay(faultFor);
                await heal();
                await Task.Delay(TimeSpan.FromSeconds(phaseSeconds) - clock.Elapsed is { Ticks: > 0 } rest ? rest : TimeSpan.Zero);
                phases.Add(new Phase(name, from, stream.Next));
                Console.WriteLine($"  {name,-28} done: seq {from:N0}..{stream.Next - 1:N0}");
            }

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
            .Where(seq => !output.Seen.ContainsKey(seq) && !stream.NotWritten.ContainsKey(seq)).Take(5).ToList();
        if (missing.Count > 0)
        {
            Audit(cluster.BootstrapServers, missing);
        }

        return Report(phases, output, stream.NotWritten);
    }

    /// <summary>
    /// For alerts the reader never saw: where each is in the input, whether the output topic holds it after all (then
    /// the reader missed it), and the group's committed offset on its input partition — the evidence to tell a lost
    /// alert from a missed read.
    /// </summary>
    private static void Audit(string bootstrap, List<int> missing)
    {
        var input = ReadAll(bootstrap, "chaos-in");
        var output = ReadAll(bootstrap, "chaos-out");
        using var group = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "ipenrich-chaos" }).Build();
        foreach (var seq in missing)
        {
            var where = input.GetValueOrDefault(seq);
            Offset? committed = where is null ? null : group.Committed([where.TopicPartition], TimeSpan.FromSeconds(10)).Single().Offset;
            Console.WriteLine($"  audit: seq {seq} input {where?.ToString() ?? "absent"}; output {(output.TryGetValue(seq, out var o) ? $"{o} (the reader missed it)" : "absent")}; "
                + $"group committed {committed?.ToString() ?? "-"}");
        }
    }

    /// <summary>seq → first position, reading every partition of <paramref name="topic"/> from the start to its end.</summary>
    private static Dictionary<int, TopicPartitionOffset> ReadAll(string bootstrap, string topic)
    {
        var found = new Dictionary<int, TopicPartitionOffset>();
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "chaos-audit", EnableAutoCommit = false }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        foreach (var partition in partitions)
        {
            var end = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High;
            consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            while (consumer.Consume(TimeSpan.FromSeconds(5)) is { } record)
            {
                using var document = JsonDocument.Parse(record.Message.Value);
                found.TryAdd(document.RootElement.GetProperty("seq").GetInt32(), record.TopicPartitionOffset);
                if (record.Offset.Value >= end - 1)
                {
                    break;
                }
            }
        }

        return found;
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

    private static int Report(List<Phase> phases, OutputFollower output, System.Collections.Concurrent.ConcurrentDictionary<int, string> notWritten)
    {
        foreach (var (seq, reason) in notWritten.Take(5))
        {
            Console.WriteLine($"  input seq {seq} was never written to the input topic: {reason}");
        }

        var json = new StringBuilder("{\"chaos\":true,\"phases\":[");
        var (totalLost, totalDuplicates, total) = (0, 0, 0);
        Console.WriteLine();
        Console.WriteLine($"{"phase",-30} {"alerts",7} {"lost",5} {"dups",5} {"max latency",12}  statuses");
        foreach (var phase in phases)
        {
            var (lost, duplicates, worst) = (0, 0, 0.0);
            var statuses = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (var seq = phase.From; seq < phase.To; seq++)
            {
                if (notWritten.ContainsKey(seq))
                {
                    continue;
                }

                if (!output.Seen.TryGetValue(seq, out var seen))
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

            (totalLost, totalDuplicates, total) = (totalLost + lost, totalDuplicates + duplicates, total + phase.To - phase.From);
            var text = string.Join(", ", statuses.Select(s => $"{s.Key} {s.Value}"));
            Console.WriteLine($"{phase.Name,-30} {phase.To - phase.From,7:N0} {lost,5} {duplicates,5} {worst / 1000,10:F1} s  {text}");
            json.Append(CultureInfo.InvariantCulture, $"{{\"name\":{JsonSerializer.Serialize(phase.Name)},\"alerts\":{phase.To - phase.From},\"lost\":{lost},\"duplicates\":{duplicates},\"maxLatencyMs\":{worst:F0},\"statuses\":{JsonSerializer.Serialize(statuses)}}},");
        }

        json.Length--;
        json.Append(CultureInfo.InvariantCulture, $"],\"alerts\":{total},\"notWritten\":{notWritten.Count},\"lost\":{totalLost},\"duplicates\":{totalDuplicates}}}");
        Console.WriteLine(totalLost == 0 ? "lost 0: every alert was published" : $"LOST {totalLost} alerts");
        Console.WriteLine(json);
        return totalLost == 0 ? 0 : 1;
    }

    private sealed record Phase(string Name, int From, int To);
}
