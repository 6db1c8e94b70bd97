using System.Diagnostics;
using IpEnrich.Testing;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// End-to-end load in one run (issues 8 and 24): a mock Kafka cluster, the emulator and (when installed) a real
/// redis-server. Every measured party is a process of its own, read from outside (output watermarks, CPU from the
/// kernel): the real <c>ipenrich</c> worker, and the bare copy (consume → produce the same bytes with the worker's
/// Kafka clients and settings). Cold cache with <c>--replicas</c> workers sharing an empty Redis (API calls per IP);
/// then the copy and one warm worker, interleaved, three runs each, each measured in its steady state after a warm-up
/// (CPU per message for both: the figure that does not depend on what else the shared cores run); warm with <c>--replicas</c>; a backlog drained against a short API
/// budget; one worker fed at half its measured rate for latency and memory. Prints a table and, last, one JSON line
/// (the contract).
/// </summary>
public static class LoadHarness
{
    private const int Runs = 3;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--chaos"))
        {
            return await ChaosRun.RunAsync(args);
        }

        if (LoadOptions.Problem(args) is { } problem)
        {
            return HarnessArgs.Refuse(LoadOptions.Usage, problem);
        }

        var options = LoadOptions.Parse(args);
        Console.WriteLine($"load: {options.Alerts:N0} alerts of ~{options.AlertBytes} B, {options.Ips:N0} distinct IPs (zipf {options.Zipf}), "
            + $"{options.Replicas} replica(s), {options.Partitions} partitions, paced {options.DurationSeconds} s");
        await using var redis = RedisServer.BinaryPath is null ? null : await RedisServer.StartOrSkipAsync();
        using var cluster = new MockKafkaCluster();
        var topics = Enumerable.Range(1, Runs).SelectMany(i => new[] { $"in-copy-{i}", $"out-copy-{i}", $"in-warm-{i}", $"out-warm-{i}" })
            .Concat(["in", MeasuredPhase.WarmUpTopic, "in-cold", "out-cold", "in-warm-n", "out-warm-n"]);
        foreach (var topic in topics)
        {
            cluster.CreateTopic(topic, options.Partitions);
        }

        cluster.CreateTopic("dlq", 1);

        // The API quota is scaled up so the cold phase can finish in seconds; every call is still counted (and any 429).
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync("--Emulator:Quota:PerMinute=1000000", "--Emulator:Quota:PerHour=10000000");
        var uniqueIps = AlertStream.Produce(cluster, "in", options);
        AlertStream.Produce(cluster, MeasuredPhase.WarmUpTopic, options, options.WarmUpAlerts, warmUp: true);
        Task<ReplicaWindow> Workers(string suffix, int replicas, bool steadyState = false, Func<Task<bool>>? answeredAll = null) => MeasuredPhase.WorkersAsync(cluster,
            LoadSettings.Worker(cluster, emulator, redis, "in" + suffix, "out" + suffix, "ipenrich" + suffix), "in" + suffix, "out" + suffix, "ipenrich" + suffix, replicas, options,
            steadyState, answeredAll);

        // Cold: the replicas share an empty Redis, so API calls per distinct IP show the cross-replica single-flight.
        // Without Redis each replica would have its own cache: the cold phase then runs one worker.
        var coldReplicas = redis is null ? 1 : options.Replicas;
        var cold = await Workers("-cold", coldReplicas, answeredAll: async () => (await emulator.GetCallsAsync()).Total >= uniqueIps);
        Console.WriteLine($"ipenrich cold   : {cold.Phase.PerSecond,10:N0} alerts/s ({cold.Phase.Elapsed.TotalSeconds:F1} s, {coldReplicas} worker process(es)); "
            + $"workers' CPU {cold.CpuUsPerAlert:F0} µs per alert");

        // Backlog: the cold phase's quota never runs short, so the drain is measured apart, against a short budget.
        var backlog = await BacklogDrainPhase.RunAsync(cluster, coldReplicas, options.BacklogIps, options.WorkerLogs);
        Console.WriteLine(backlog is null ? "backlog drain   : skipped (--backlog-ips 0, or no redis-server)" : $"backlog drain   : {backlog.Describe()}");

        // Copy and warm worker alternate, so a noisy neighbour's minute lands on both rather than on one side. Without
        // Redis there is no warm cache across workers: the cold worker's figures stand in for the warm ones.
        var (copies, warms) = (new List<ReplicaWindow>(), new List<ReplicaWindow>());
        for (var run = 1; run <= Runs; run++)
        {
            copies.Add(await MeasuredPhase.CopyAsync(cluster, $"in-copy-{run}", $"out-copy-{run}", $"ipenrich-copy-{run}", options));
            if (redis is not null)
            {
                warms.Add(await Workers($"-warm-{run}", 1, steadyState: true));
            }
        }

        if (redis is null)
        {
            warms.Add(cold);
        }

        // On 2 cores the replicas' processes share the CPU rather than add to it: this shows the overhead of more.
        ReplicaWindow? warmReplicas = redis is null || options.Replicas == 1 ? null : await Workers("-warm-n", options.Replicas);
        var (apiCalls, byStatus) = await emulator.GetCallsAsync();
        var outputs = Enumerable.Range(1, redis is null ? 0 : Runs).Select(i => $"out-warm-{i}").Append("out-cold").Concat(warmReplicas is null ? [] : ["out-warm-n"]);
        var (lost, duplicates) = (0, 0);
        foreach (var output in outputs)
        {
            var (l, d) = OutputCheck.Verify(cluster.BootstrapServers, output, options.Alerts);
            (lost, duplicates) = (lost + l, duplicates + d);
        }

        cluster.Dispose(); // about 2 GB by now: the paced phase gets a cluster of its own
        var paced = await PacedLatencyPhase.RunAsync(emulator, redis, options, Spread.Of(warms.Select(w => w.Phase.PerSecond)).Median);
        new LoadReport(options, uniqueIps, apiCalls, byStatus.GetValueOrDefault("429"), cold, backlog, copies, warms, warmReplicas ?? warms[0], paced, lost, duplicates,
            Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0)).Print();
        return 0;
    }
}
