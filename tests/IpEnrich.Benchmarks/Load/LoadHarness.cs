using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Emulator.Data;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// End-to-end load in one run (issue 8): a mock Kafka cluster, the emulator and (when installed) a real redis-server.
/// The same messages go through a bare consume→produce copy (the Kafka limit on this machine, the baseline) and then
/// through the real worker, every replica in a process of its own (the real <c>ipenrich</c> entry point, so the
/// harness's heap and GC, which hold the mock broker's data, are not the workers'): cold cache with <c>--replicas</c>
/// workers sharing an empty Redis (API calls per IP), warm with one worker (the ratio) and with <c>--replicas</c>; the
/// workers' CPU time per alert is reported for each. Then replicas drain a backlog against a short API budget, and one
/// worker drains a backlog (its maximum rate) and is fed at half that rate to measure latency. Prints a table and,
/// last, one JSON line (the contract).
/// </summary>
public static class LoadHarness
{
    // A mock partition keeps only about 5 MiB and silently drops older data (DESIGN §8): size the partition count so
    // every topic holds the whole run with room to spare.
    private const long BytesPerPartition = 3L * 1024 * 1024;

    // librdkafka's mock broker holds a fetch that finds no data for the full fetch.wait.max.ms (500 ms by default)
    // instead of answering when data arrives as Kafka does; every consumer here (baseline and worker) uses 10 ms.
    private const int FetchWaitMaxMs = 10;

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Contains("--chaos"))
        {
            return await ChaosRun.RunAsync(args);
        }

        var options = LoadOptions.Parse(args);
        var partitions = options.Partitions;
        Console.WriteLine($"load: {options.Alerts:N0} alerts of ~{options.AlertBytes} B, {options.Ips:N0} distinct IPs (zipf {options.Zipf}), "
            + $"{options.Replicas} replica(s), {partitions} partitions, paced {options.DurationSeconds} s");
        await using var redis = RedisServer.BinaryPath is null ? null : await RedisServer.StartOrSkipAsync();
        using var cluster = new MockKafkaCluster();
        foreach (var topic in new[] { "in", "copy", "copy-2", "copy-3", "in-cold", "in-warm", "out-warm", "in-warm-2", "out-warm-2", "in-warm-3", "out-warm-3", "in-warm-n", "out-warm-n", "out-cold", "dlq" })
        {
            cluster.CreateTopic(topic, topic == "dlq" ? 1 : partitions);
        }

        // The API quota is scaled up so the cold phase can finish in seconds; every call is still counted (and any 429).
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync("--Emulator:Quota:PerMinute=1000000", "--Emulator:Quota:PerHour=10000000");
        var uniqueIps = Produce(cluster, "in", options);

        // The copy runs twice here and once more after the workers; the fastest is the baseline (the conservative
        // choice: the first run pays for the JIT and the broker's cold start, and the copy's rate varies by ±20 % here).
        var copies = new List<PhaseRate>
        {
            await CopyAsync(cluster.BootstrapServers, options.Alerts),
            await CopyAsync(cluster.BootstrapServers, options.Alerts, to: "copy-2", group: "baseline-2"),
        };

        // Cold: the replicas share an empty Redis, so API calls per distinct IP show the cross-replica single-flight.
        // Without Redis each replica would have its own cache: the cold phase then runs one worker.
        var coldReplicas = redis is null ? 1 : options.Replicas;
        var cold = await EnrichAsync(cluster, emulator, redis, "in-cold", "out-cold", "ipenrich-cold", coldReplicas, options);
        Console.WriteLine($"ipenrich cold   : {cold.Phase.PerSecond,10:N0} alerts/s ({cold.Phase.Elapsed.TotalSeconds:F1} s, {coldReplicas} worker process(es)); "
            + $"workers' CPU {cold.CpuUsPerAlert:F0} µs per alert");
        var (apiCalls, byStatus) = await emulator.GetCallsAsync();
        var throttled = byStatus.TryGetValue("429", out var t) ? t : 0;

        // Backlog: the cold phase's quota never runs short, so the drain is measured apart, against a short budget.
        var backlogIps = int.Parse(HarnessArgs.Value(args, "--backlog-ips") ?? "600", CultureInfo.InvariantCulture);
        var backlog = await BacklogDrainPhase.RunAsync(cluster, coldReplicas, backlogIps, options.WorkerLogs);
        Console.WriteLine(backlog is null
            ? "backlog drain   : skipped (--backlog-ips 0, or no redis-server)"
            : $"backlog drain   : {backlog.Describe()}");

        // Warm: one worker against the one-client copy is the like-for-like ratio; the replicas run too, but on the
        // same 2 cores their processes share the CPU rather than add to it. Like the copy, the one-worker phase runs
        // three times, interleaved with the copies, and the fastest counts: a 2-second window moves by ±15 % here.
        // Without Redis there is no warm cache across workers: the warm phases are skipped.
        var warms = new List<ReplicaWindow>();
        var warmOutputs = new List<string>();
        async Task<ReplicaWindow?> WarmAsync(string suffix, int replicas)
        {
            if (redis is null)
            {
                return null;
            }

            warmOutputs.Add("out-warm" + suffix);
            return await EnrichAsync(cluster, emulator, redis, "in-warm" + suffix, "out-warm" + suffix, "ipenrich-warm" + suffix, replicas, options);
        }

        async Task WarmOnceAsync(string suffix)
        {
            if (await WarmAsync(suffix, 1) is { } phase)
            {
                warms.Add(phase);
            }
        }

        await WarmOnceAsync(string.Empty);
        var warmReplicas = options.Replicas == 1 ? null : await WarmAsync("-n", options.Replicas);
        await WarmOnceAsync("-2");
        copies.Add(await CopyAsync(cluster.BootstrapServers, options.Alerts, to: "copy-3", group: "baseline-3"));
        await WarmOnceAsync("-3");

        var warm = redis is null ? cold : warms.MaxBy(w => w.Phase.PerSecond);
        Console.WriteLine(redis is null
            ? "ipenrich warm   : skipped (no redis-server: a warm cache across workers needs Redis)"
            : $"ipenrich warm   : {warm.Phase.PerSecond,10:N0} alerts/s ({warm.Phase.Elapsed.TotalSeconds:F1} s, 1 worker process; best of {Rates(warms.Select(w => w.Phase))}; "
              + $"its CPU {warm.CpuUsPerAlert:F0} µs per alert); {(warmReplicas ?? warm).Phase.PerSecond:N0} alerts/s with {options.Replicas} worker processes");

        var baseline = copies.MaxBy(c => c.PerSecond);
        Console.WriteLine($"baseline copy   : {baseline.PerSecond,10:N0} alerts/s ({baseline.Elapsed.TotalSeconds:F1} s; best of {Rates(copies)})");
        Console.WriteLine($"  managed heap   : warm worker process {warm.Phase.Gc.Describe(warm.Phase.Alerts)} (its /metrics); copy {baseline.Gc.Describe(baseline.Alerts)}");
        var (lostCold, duplicatesCold) = Verify(cluster.BootstrapServers, "out-cold", options.Alerts);
        var (lostWarm, duplicatesWarm) = (0, 0);
        foreach (var output in warmOutputs)
        {
            var (l, d) = Verify(cluster.BootstrapServers, output, options.Alerts);
            (lostWarm, duplicatesWarm) = (lostWarm + l, duplicatesWarm + d);
        }

        var headline = options.Cold ? cold.Phase : warm.Phase;
        // The paced run gets a fresh cluster (this one holds about 1 GB by now) with few partitions. The mock broker
        // finds a fetch's offset by walking the partition's list of produce batches from the start, so its cost per
        // fetch grows with the log until the ~5 MiB per-partition retention trims it; a paced stream of small batches
        // on 18 partitions saturated the broker within 10 s (copy p99 70 ms, worker 271 ms), on 8 it stays flat.
        cluster.Dispose();
        using var pacedCluster = new MockKafkaCluster();
        foreach (var topic in new[] { "in-paced", "out-paced", "in-paced-copy", "out-paced-copy", "dlq" })
        {
            pacedCluster.CreateTopic(topic, topic == "dlq" ? 1 : PacedPartitions);
        }

        var paced = await PacedLatencyAsync(pacedCluster, emulator, redis, options, warm.Phase.PerSecond);
        var (lost, duplicates) = (lostCold + lostWarm, duplicatesCold + duplicatesWarm);
        var peakRssMb = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);

        var (latency, copyLatency) = (paced.Enriched, paced.Copy);
        Console.WriteLine($"latency @ {paced.Rate:N0}/s : ipenrich p50 {latency.P50:F1} ms, p99 {latency.P99:F1} ms, max {latency.Max:F0} ms ({latency.Count:N0} alerts); "
            + $"copy p50 {copyLatency.P50:F1} ms, p99 {copyLatency.P99:F1} ms, max {copyLatency.Max:F0} ms (producer → output consumer; half of the warm rate of {warm.Phase.PerSecond:N0}/s; "
            + $"worker {paced.WorkerCores:P0} of a core, machine {paced.MachineBusy:P0} busy)");
        Console.WriteLine($"  in the worker  : consume → acknowledged p50 {paced.InWorker.Quantile(0.5) * 1000:F1} ms, p99 {paced.InWorker.Quantile(0.99) * 1000:F1} ms "
            + $"({paced.InWorker.Count:N0} alerts; its ipenrich.alert.duration histogram, quantiles as the dashboard computes them)");
        Console.WriteLine($"API calls       : {apiCalls:N0} for {uniqueIps:N0} distinct IPs ({(double)apiCalls / uniqueIps:F3} per IP) over cold and warm, throttled {throttled}");
        Console.WriteLine($"lost {lost}, duplicates {duplicates} (cold {lostCold}/{duplicatesCold}, warm {lostWarm}/{duplicatesWarm})");
        Console.WriteLine($"peak RSS        : worker process {paced.WorkerPeakRssMb:F0} MB (paced run); harness process {peakRssMb:F0} MB (mock broker, emulator)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"alerts\":{options.Alerts},\"baselineAlertsPerSec\":{baseline.PerSecond:F0},\"ipenrichAlertsPerSec\":{headline.PerSecond:F0},\"ratio\":{headline.PerSecond / baseline.PerSecond:F3},\"coldAlertsPerSec\":{cold.Phase.PerSecond:F0},\"warmAlertsPerSec\":{warm.Phase.PerSecond:F0},\"warmReplicasAlertsPerSec\":{(warmReplicas ?? warm).Phase.PerSecond:F0},\"replicas\":{options.Replicas},\"p50Ms\":{latency.P50:F1},\"p99Ms\":{latency.P99:F1},\"workerP50Ms\":{paced.InWorker.Quantile(0.5) * 1000:F1},\"workerP99Ms\":{paced.InWorker.Quantile(0.99) * 1000:F1},\"copyP50Ms\":{copyLatency.P50:F1},\"copyP99Ms\":{copyLatency.P99:F1},\"pacedAlertsPerSec\":{paced.Rate:F0},\"pacedWorkerCores\":{paced.WorkerCores:F2},\"pacedMachineBusy\":{paced.MachineBusy:F2},\"uniqueIps\":{uniqueIps},\"apiCalls\":{apiCalls},\"apiCallsPerUniqueIp\":{(double)apiCalls / uniqueIps:F3},\"throttled\":{throttled},\"lost\":{lost},\"duplicates\":{duplicates},\"peakRssMb\":{paced.WorkerPeakRssMb:F0},\"harnessPeakRssMb\":{peakRssMb:F0},\"backlogDrainPerBudget\":{Json(backlog?.PerBudget)},\"backlogDrainMinPerBudget\":{Json(backlog?.MinPerBudget)},\"coldWorkerCpuUsPerAlert\":{cold.CpuUsPerAlert:F1},\"warmWorkerCpuUsPerAlert\":{warm.CpuUsPerAlert:F1}}}"));
        return 0;
    }

    private static string Rates(IEnumerable<PhaseRate> phases) =>
        string.Join(", ", phases.Select(p => p.PerSecond.ToString("N0", CultureInfo.InvariantCulture)));

    /// <summary>
    /// Writes the alerts (1–4 IPs from a Zipf mix, padded to ~AlertBytes); returns the number of distinct IPs used.
    /// With <paramref name="everyIp"/> the first alerts name each of the mix's IPs once, so a worker fed them has all in cache.
    /// </summary>
    private static int Produce(MockKafkaCluster cluster, string topic, LoadOptions options, int? alerts = null, bool everyIp = false)
    {
        var (messages, used) = BuildAlerts(options, alerts ?? options.Alerts, everyIp);
        Send(cluster, topic, messages, paced: null);
        return used;
    }

    /// <summary>The alerts as the input topic gets them, and how many distinct IPs they name.</summary>
    private static (Message<byte[], byte[]>[] Messages, int DistinctIps) BuildAlerts(LoadOptions options, int count, bool everyIp = false)
    {
        var random = new Random(42);
        var zipf = new ZipfSampler(options.Ips, options.Zipf);
        var used = new HashSet<int>();
        var padding = new string('x', Math.Max(0, options.AlertBytes - 330));
        var messages = new Message<byte[], byte[]>[count];
        for (var i = 0; i < count; i++)
        {
            var ips = new string[random.Next(1, 5)];
            for (var k = 0; k < ips.Length; k++)
            {
                var rank = everyIp && k == 0 && i < options.Ips ? i : zipf.Sample(random);
                used.Add(rank);
                ips[k] = $"10.{100 + (rank >> 16)}.{(rank >> 8) & 255}.{rank & 255}";
            }

            var value = $$"""{"seq":{{i}},"title":"Suspicious connection","severity":"medium","src_ip":"{{ips[0]}}","destinations":["{{string.Join("\",\"", ips[1..])}}"],"message":"connection from {{ips[0]}} observed","padding":"{{padding}}"}""";
            messages[i] = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"host-{i % 1000}"), Value = Encoding.UTF8.GetBytes(value) };
        }

        return (messages, used.Count);
    }

    /// <summary>
    /// Sends <paramref name="messages"/> and waits for every delivery; at <paramref name="paced"/> alerts/s with a
    /// <c>sent-at</c> header when given. Messages are built beforehand, so a paced stream costs the machine no more than
    /// the client's own work, leaving the CPU to the broker and the worker being measured.
    /// </summary>
    private static void Send(MockKafkaCluster cluster, string topic, Message<byte[], byte[]>[] messages, double? paced)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 5, QueueBufferingMaxMessages = 1_000_000 }).Build();
        var clock = Stopwatch.StartNew();
        var failed = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            if (paced is not null)
            {
                var due = TimeSpan.FromSeconds(i / paced.Value);
                while (clock.Elapsed < due)
                {
                    Thread.Sleep(1); // pacing on a dedicated thread (never a thread-pool one)
                }

                message.Headers = new Headers { { "sent-at", BitConverter.GetBytes(Stopwatch.GetTimestamp()) } };
            }

            producer.Produce(topic, message, report =>
            {
                if (report.Error.IsError && Interlocked.Increment(ref failed) == 1)
                {
                    Console.Error.WriteLine($"load: producing to {topic} failed: {report.Error.Reason}");
                }
            });
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {messages.Length} alerts could not be written to {topic}");
        }
    }

    /// <summary>The baseline: consume → produce the same bytes with the worker's client settings, offsets stored after delivery.</summary>
    private static Task<PhaseRate> CopyAsync(string bootstrap, int alerts, string from = "in", string to = "copy", string group = "baseline")
    {
        var done = new TaskCompletionSource<PhaseRate>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
            {
                BootstrapServers = bootstrap, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoOffsetStore = false,
                PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky, FetchWaitMaxMs = FetchWaitMaxMs,
            }).Build();
            using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
            {
                BootstrapServers = bootstrap, EnableIdempotence = true, Acks = Acks.All, LingerMs = 5, CompressionType = CompressionType.Lz4,
                DeliveryReportFields = "none",
            }).Build();
            consumer.Subscribe(from);
            long delivered = 0;
            Stopwatch? watch = null;
            var gc = default(ManagedAllocations);
            var stored = new System.Collections.Concurrent.ConcurrentQueue<TopicPartitionOffset>();
            while (Interlocked.Read(ref delivered) < alerts)
            {
                while (stored.TryDequeue(out var offset))
                {
                    consumer.StoreOffset(offset);
                }

                if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is not { } result)
                {
                    continue;
                }

                if (watch is null)
                {
                    gc = ManagedAllocations.Read();
                    watch = Stopwatch.StartNew();
                }

                var source = result.TopicPartitionOffset;
                while (true)
                {
                    try
                    {
                        producer.Produce(to, new Message<byte[]?, byte[]?> { Key = result.Message.Key, Value = result.Message.Value, Headers = result.Message.Headers },
                            report =>
                            {
                                Interlocked.Increment(ref delivered);
                                stored.Enqueue(new TopicPartitionOffset(source.TopicPartition, source.Offset + 1));
                            });
                        break;
                    }
                    catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                    {
                        producer.Poll(TimeSpan.FromMilliseconds(5));
                    }
                }
            }

            watch!.Stop();
            gc = ManagedAllocations.Read().Since(gc);
            consumer.Close();
            done.SetResult(new PhaseRate(alerts, watch.Elapsed, gc));
        })
        { IsBackground = true, Name = "baseline-copy" };
        thread.Start();
        return done.Task;
    }

    /// <summary>A ratio for the JSON line: three decimals, or null when not measured.</summary>
    private static string Json(double? ratio) => ratio is { } r && double.IsFinite(r) ? r.ToString("F3", CultureInfo.InvariantCulture) : "null";

    internal static Dictionary<string, string?> Settings(MockKafkaCluster cluster, RunningEmulator emulator, RedisServer? redis, string input, string output, string group)
    {
        var settings = emulator.DefenderSettings();
        settings["Kafka:BootstrapServers"] = cluster.BootstrapServers;
        settings["Kafka:InputTopic"] = input;
        settings["Kafka:OutputTopic"] = output;
        settings["Kafka:DeadLetterTopic"] = "dlq";
        settings["Kafka:GroupId"] = group;
        settings["Quota:PerMinute"] = "1000000";
        settings["Quota:PerHour"] = "10000000";
        settings["Enrichment:MaxWait"] = "00:00:05";
        settings["Kafka:Settings:fetch.wait.max.ms"] = FetchWaitMaxMs.ToString(CultureInfo.InvariantCulture);
        if (redis is not null)
        {
            settings["Redis:ConnectionString"] = redis.ConnectionString;
        }

        return settings;
    }

    /// <summary>
    /// Starts <paramref name="replicas"/> worker processes in one group and lets them form it on probe alerts, then
    /// copies the alerts into <paramref name="input"/> and times the workers from the first output to the last. The
    /// copy overlaps the first second or two of the window (a feed copy takes CPU the baseline copy never shares),
    /// the price of a group formed before any timed input: replicas joining late stalled partitions for tens of seconds.
    /// </summary>
    private static async Task<ReplicaWindow> EnrichAsync(MockKafkaCluster cluster, RunningEmulator emulator, RedisServer? redis,
        string input, string output, string group, int replicas, LoadOptions options)
    {
        await using var workers = WorkerReplicas.Start(cluster, Settings(cluster, emulator, redis, input, output, group), output, options.Partitions, replicas,
            options.WorkerLogs, group);
        var probes = await workers.FormGroupAsync(cluster, input, options.Partitions, TimeSpan.FromMinutes(2));
        var feed = CopyAsync(cluster.BootstrapServers, options.Alerts, "in", input, "feed-" + input);
        var window = await workers.MeasureAsync(probes, probes + options.Alerts, TimeSpan.FromMinutes(10));
        await feed;
        if (workers.Failure() is { } failure)
        {
            Console.WriteLine($"  note: {failure} during {group}");
        }

        return window;
    }

    /// <summary>Every input seq present in the output once (probes aside): returns (missing, extra copies).</summary>
    private static (int Lost, int Duplicates) Verify(string bootstrap, string topic, int alerts)
    {
        var seen = new int[alerts];
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "verify-" + topic, AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe(topic);
        var read = 0;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var quietUntil = DateTime.MaxValue;
        while (DateTime.UtcNow < deadline && DateTime.UtcNow < quietUntil)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } r)
            {
                using var doc = JsonDocument.Parse(r.Message.Value);
                if (doc.RootElement.GetProperty("seq").GetInt32() is not (>= 0 and var seq))
                {
                    continue; // a probe that formed the group
                }

                seen[seq]++;
                if (++read >= alerts && quietUntil == DateTime.MaxValue)
                {
                    quietUntil = DateTime.UtcNow.AddSeconds(2);
                }
            }
        }

        consumer.Close();
        return (seen.Count(n => n == 0), seen.Sum(n => Math.Max(0, n - 1)));
    }

    /// <summary>
    /// One worker in its own process (the real <c>ipenrich</c> entry point, so its peak RSS is the worker's alone):
    /// a backlog warms it up, then alerts are produced at a steady half of <paramref name="maxRate"/> (the warm phase's
    /// measured rate) and the latency from send to the output consumer is measured, along with the worker's own
    /// consume → acknowledged histogram. The same paced stream then goes through the bare copy, whose latency is the
    /// transport's share (producer linger, fetch rounds, broker).
    /// </summary>
    private static async Task<PacedResult> PacedLatencyAsync(MockKafkaCluster cluster, RunningEmulator emulator, RedisServer? redis, LoadOptions options, double maxRate)
    {
        var rate = Math.Max(100, maxRate / 2);
        var backlog = PacedBacklog(options);
        Produce(cluster, "in-paced", options, backlog, everyIp: true); // the latency target is for a warm cache
        var port = WorkerProcess.FreePort();
        using var worker = WorkerProcess.Start(Settings(cluster, emulator, redis, "in-paced", "out-paced", "ipenrich-paced"),
            options.WorkerLogs is { } logs ? Path.Combine(logs, "paced-worker.log") : null, port);
        using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
        double rssMb, workerCores, machineBusy;
        ScrapedHistogram inWorker;
        Latencies enriched;
        try
        {
            using var reader = PacedReader(cluster, "out-paced");
            string? Exited() => worker.HasExited ? "the worker process exited" : null;

            // The backlog's output proves the worker has joined and owns its partitions; it fills the cache and runs
            // the JIT. A paced warm-up stream then runs the steady-state paths (small fetches, idle prepare loops
            // waking): perf showed tier-1 compilation taking 30 % of a core for the first 3 s of a paced stream that
            // followed the backlog alone. A worker that runs for days does this once, so the measured stream starts
            // when the process has gone quiet after both.
            ReadBacklog(reader, backlog, Exited);
            await WorkerProcess.WaitUntilIdleAsync(worker, TimeSpan.FromSeconds(15));
            MeasurePaced(cluster, reader, "in-paced", rate, BuildAlerts(options, (int)(rate * PacedWarmUpSeconds)).Messages);
            await WorkerProcess.WaitUntilIdleAsync(worker, TimeSpan.FromSeconds(15));
            var stream = BuildAlerts(options, (int)(rate * options.DurationSeconds)).Messages; // before the measured window
            var (cpuBefore, machineBefore) = (WorkerProcess.CpuTime(worker), MachineCpu.Read());
            var durationsBefore = await ScrapedHistogram.ScrapeAsync(metrics, AlertDuration);
            enriched = MeasurePaced(cluster, reader, "in-paced", rate, stream);
            (workerCores, machineBusy) = ((WorkerProcess.CpuTime(worker) - cpuBefore) / enriched.Elapsed, MachineCpu.Read().BusySince(machineBefore));
            inWorker = (await ScrapedHistogram.ScrapeAsync(metrics, AlertDuration)).Since(durationsBefore);
            rssMb = WorkerProcess.PeakRssMb(worker); // read while the process exists
        }
        finally
        {
            await WorkerProcess.KillAsync(worker);
        }

        // The copy joins its group on a small backlog first, so the paced stream never waits for a group to form.
        const int CopyWarmUp = 2_000;
        var copy = CopyAsync(cluster.BootstrapServers, CopyWarmUp + (int)(rate * options.DurationSeconds), "in-paced-copy", "out-paced-copy", "paced-copy");
        Produce(cluster, "in-paced-copy", options, CopyWarmUp);
        using (var reader = PacedReader(cluster, "out-paced-copy"))
        {
            ReadBacklog(reader, CopyWarmUp, () => copy.IsFaulted ? "the copy failed" : null);
            var copied = MeasurePaced(cluster, reader, "in-paced-copy", rate, BuildAlerts(options, (int)(rate * options.DurationSeconds)).Messages);
            await copy;
            return new PacedResult(rate, enriched, copied, inWorker, rssMb, workerCores, machineBusy);
        }
    }

    private static IConsumer<Ignore, Ignore> PacedReader(MockKafkaCluster cluster, string topic)
    {
        var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers, GroupId = "reader-" + topic, AutoOffsetReset = AutoOffsetReset.Earliest, FetchWaitMaxMs = FetchWaitMaxMs,
        }).Build();
        reader.Subscribe(topic);
        return reader;
    }

    /// <summary>Reads <paramref name="count"/> outputs (two minutes at most).</summary>
    private static void ReadBacklog(IConsumer<Ignore, Ignore> reader, int count, Func<string?> failure)
    {
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var read = 0;
        while (read < count)
        {
            if (reader.Consume(TimeSpan.FromMilliseconds(100)) is not null)
            {
                read++;
            }
            else if (DateTime.UtcNow > deadline || failure() is not null)
            {
                throw new InvalidOperationException($"{read} of {count} backlog alerts were published ({failure() ?? "timed out"})");
            }
        }
    }

    /// <summary>Sends <paramref name="stream"/> at <paramref name="rate"/> and returns the send → read latencies.</summary>
    private static Latencies MeasurePaced(MockKafkaCluster cluster, IConsumer<Ignore, Ignore> reader, string input, double rate, Message<byte[], byte[]>[] stream)
    {
        var latencies = new List<double>();
        var watch = Stopwatch.StartNew();
        var producer = new Thread(() => Send(cluster, input, stream, rate)) { IsBackground = true, Name = "paced-producer" };
        producer.Start();
        var deadline = DateTime.UtcNow.AddSeconds((stream.Length / rate) + 60);
        while (latencies.Count < stream.Length && DateTime.UtcNow < deadline)
        {
            if (reader.Consume(TimeSpan.FromMilliseconds(100)) is { } r && r.Message.Headers.TryGetLastBytes("sent-at", out var sent))
            {
                latencies.Add(Stopwatch.GetElapsedTime(BitConverter.ToInt64(sent)).TotalMilliseconds);
            }
        }

        producer.Join();
        return new Latencies(latencies, watch.Elapsed);
    }

    /// <param name="WorkerCores">The worker process's CPU while paced, in cores.</param>
    /// <param name="MachineBusy">The fraction of the machine's CPU in use meanwhile (broker, harness and worker).</param>
    /// <param name="InWorker">The worker's own <c>ipenrich.alert.duration</c> (consume → broker acknowledgement) over the paced stream.</param>
    private sealed record PacedResult(double Rate, Latencies Enriched, Latencies Copy, ScrapedHistogram InWorker, double WorkerPeakRssMb, double WorkerCores,
        double MachineBusy);

    private const string AlertDuration = "ipenrich_alert_duration_seconds";

    /// <summary>The unmeasured paced stream that finishes the worker's warm-up.</summary>
    private const int PacedWarmUpSeconds = 5;

    /// <summary>Latency percentiles in milliseconds (NaN when nothing arrived).</summary>
    private sealed class Latencies
    {
        private readonly List<double> _sorted;

        public Latencies(List<double> values, TimeSpan elapsed)
        {
            _sorted = values;
            _sorted.Sort();
            Elapsed = elapsed;
        }

        public TimeSpan Elapsed { get; }

        public int Count => _sorted.Count;

        public double P50 => Percentile(0.50);

        public double P99 => Percentile(0.99);

        public double Max => _sorted.Count == 0 ? double.NaN : _sorted[^1];

        private double Percentile(double p) => _sorted.Count == 0 ? double.NaN : _sorted[Math.Min(_sorted.Count - 1, (int)(_sorted.Count * p))];
    }

    private const int PacedPartitions = 8;

    /// <summary>A warm-up backlog that fits the paced partitions with room to spare (the mock drops what is past ~5 MiB per partition).</summary>
    private static int PacedBacklog(LoadOptions options) => Math.Min(options.Alerts, 16_000);

    private sealed record LoadOptions(int Alerts, int Ips, double Zipf, int Replicas, int AlertBytes, int DurationSeconds, bool Cold, string? WorkerLogs)
    {
        /// <summary>Enough partitions that no topic outgrows the mock broker's per-partition retention.</summary>
        public int Partitions => (int)Math.Clamp((long)Alerts * (AlertBytes + 64) / BytesPerPartition + 1, 16, 256);

        public static LoadOptions Parse(string[] args)
        {
            string? Get(string name) => HarnessArgs.Value(args, name);
            return new LoadOptions(
                int.Parse(Get("--alerts") ?? "150000", CultureInfo.InvariantCulture),
                int.Parse(Get("--ips") ?? "2000", CultureInfo.InvariantCulture),
                double.Parse(Get("--zipf") ?? "1.1", CultureInfo.InvariantCulture),
                int.Parse(Get("--replicas") ?? "3", CultureInfo.InvariantCulture),
                int.Parse(Get("--alert-bytes") ?? "1024", CultureInfo.InvariantCulture),
                int.Parse(Get("--duration") ?? Get("--paced-seconds") ?? "10", CultureInfo.InvariantCulture),
                args.Contains("--cold"),
                Get("--worker-logs") is { } logs ? Directory.CreateDirectory(logs).FullName : null);
        }
    }
}
