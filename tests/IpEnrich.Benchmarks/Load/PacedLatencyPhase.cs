using System.Diagnostics;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The latency targets (in-worker p99 at half the measured maximum rate, worker peak RSS) and the CPU ratio at one rate:
/// one worker process, the bare copy process and the copy sending the worker's output shape (<see cref="ContractShape"/>),
/// each warmed up, take turns on a steady paced stream on a cluster of their own, three windows each, interleaved, so a
/// slow minute of the host lands on every side.
/// </summary>
internal static class PacedLatencyPhase
{
    private const string AlertDuration = "ipenrich_alert_duration_seconds";

    /// <summary>The unmeasured paced stream that finishes each process's warm-up.</summary>
    private const int PacedWarmUpSeconds = 5;

    private const int Rounds = 3;

    /// <summary>Alerts that form the copy's group before its paced warm-up.</summary>
    private const int CopyBacklog = 2_000;

    // The mock broker finds a fetch's offset by walking the partition's list of produce batches from the start, so its
    // cost per fetch grows with the log until the ~5 MiB per-partition retention trims it; a paced stream of small
    // batches on 18 partitions saturated the broker within 10 s (copy p99 70 ms, worker 271 ms), on 8 it stays flat.
    private const int PacedPartitions = 8;

    /// <summary>
    /// The worker runs the real <c>ipenrich</c> entry point (so its peak RSS is the worker's alone); a backlog naming
    /// every IP warms its cache, the copy's forms its group. Each then gets an unmeasured paced stream: perf showed
    /// tier-1 compilation taking 30 % of a core for the first 3 s of a paced stream that followed the backlog alone,
    /// and a worker that runs for days does this once. Then the two take turns on the same paced stream at half of
    /// <paramref name="maxRate"/> (the warm phase's measured rate), <c>--duration</c> seconds in all for each: the
    /// latency from send to the output consumer, each process's CPU over its own windows, and the worker's own
    /// consume → acknowledged histogram. At the same rate the two fill their produce batches alike, which at full
    /// rate they do not: the faster copy puts more messages in each.
    /// </summary>
    public static async Task<PacedResult> RunAsync(RunningEmulator emulator, RedisServer? redis, LoadOptions options, double maxRate)
    {
        using var cluster = PacedCluster("in-paced", "out-paced", "in-paced-copy", "out-paced-copy", "in-paced-contract", "out-paced-contract");

        var rate = Math.Max(100, maxRate / 2);
        var backlog = PacedBacklog(options);
        AlertStream.Produce(cluster, "in-paced", options, backlog, everyIp: true); // the latency target is for a warm cache
        AlertStream.Produce(cluster, "in-paced-copy", options, CopyBacklog);
        AlertStream.Produce(cluster, "in-paced-contract", options, CopyBacklog);
        using var worker = WorkerProcess.Start(LoadSettings.Worker(cluster, emulator, redis, "in-paced", "out-paced", "ipenrich-paced"),
            options.WorkerLogs is { } logs ? Path.Combine(logs, "paced-worker.log") : null);
        using var copy = CopyProcess.Start(LoadSettings.Kafka(cluster.BootstrapServers, "in-paced-copy", "out-paced-copy", "paced-copy"));
        var contractSettings = LoadSettings.Kafka(cluster.BootstrapServers, "in-paced-contract", "out-paced-contract", "paced-contract");
        contractSettings["Copy:Shape"] = "contract";
        using var contract = CopyProcess.Start(contractSettings);
        try
        {
            using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{await ListeningPort.WaitAsync(worker, TimeSpan.FromMinutes(1))}") };
            using var workerOutput = PacedReader(cluster, "out-paced");
            using var copyOutput = PacedReader(cluster, "out-paced-copy");
            using var contractOutput = PacedReader(cluster, "out-paced-contract");
            var enriching = new PacedSide(worker, "in-paced", workerOutput, "the worker process exited");
            var copying = new PacedSide(copy, "in-paced-copy", copyOutput, "the copy process exited");
            var shaping = new PacedSide(contract, "in-paced-contract", contractOutput, "the contract-shape copy process exited");
            await WarmUpAsync(cluster, enriching, backlog, rate, options);
            await WarmUpAsync(cluster, copying, CopyBacklog, rate, options);
            await WarmUpAsync(cluster, shaping, CopyBacklog, rate, options);

            var stream = AlertStream.Build(options, (int)(rate * options.DurationSeconds / Rounds)).Messages; // sent again in every window
            var durationsBefore = await ScrapedHistogram.ScrapeAsync(metrics, AlertDuration); // the exporter's work: outside the windows
            List<PacedWindow> workerWindows = [], copyWindows = [], contractWindows = [];
            for (var round = 0; round < Rounds; round++)
            {
                workerWindows.Add(Measure(cluster, enriching, rate, stream));
                copyWindows.Add(Measure(cluster, copying, rate, stream));
                contractWindows.Add(Measure(cluster, shaping, rate, stream));
            }

            var inWorker = (await ScrapedHistogram.ScrapeAsync(metrics, AlertDuration)).Since(durationsBefore);
            return new PacedResult(rate, inWorker, WorkerProcess.PeakRssMb(worker), workerWindows, copyWindows, contractWindows); // RSS read while the process exists
        }
        finally
        {
            await Task.WhenAll(WorkerProcess.KillAsync(worker), WorkerProcess.KillAsync(copy), WorkerProcess.KillAsync(contract));
        }
    }

    /// <summary>
    /// This build's worker and another build's (<paramref name="otherBuild"/>, a directory holding its <c>ipenrich.dll</c>)
    /// take turns on the same paced stream at <paramref name="rate"/>, <paramref name="rounds"/> windows each, interleaved,
    /// after the same warm-up as above: their CPU per alert side by side, so that a change of a few per cent to the worker
    /// shows, which between load runs minutes apart it does not.
    /// </summary>
    /// <param name="otherEnvironment">Environment variables for the other build's process only, to compare a runtime knob.</param>
    public static async Task<(IReadOnlyList<PacedWindow> This, IReadOnlyList<PacedWindow> Other)> CompareWorkersAsync(RunningEmulator emulator,
        RedisServer? redis, LoadOptions options, double rate, string otherBuild, int rounds, IReadOnlyDictionary<string, string>? otherEnvironment = null)
    {
        using var cluster = PacedCluster("in-this", "out-this", "in-other", "out-other");

        var backlog = PacedBacklog(options);
        AlertStream.Produce(cluster, "in-this", options, backlog, everyIp: true);
        AlertStream.Produce(cluster, "in-other", options, backlog, everyIp: true);
        using var mine = WorkerProcess.Start(LoadSettings.Worker(cluster, emulator, redis, "in-this", "out-this", "ipenrich-this"));
        using var theirs = WorkerProcess.Start(LoadSettings.Worker(cluster, emulator, redis, "in-other", "out-other", "ipenrich-other"), build: otherBuild,
            environment: otherEnvironment);
        try
        {
            using var mineOutput = PacedReader(cluster, "out-this");
            using var theirOutput = PacedReader(cluster, "out-other");
            var sides = new[] { new PacedSide(mine, "in-this", mineOutput, "this build's worker exited"), new PacedSide(theirs, "in-other", theirOutput, "the other build's worker exited") };
            foreach (var side in sides)
            {
                await WarmUpAsync(cluster, side, backlog, rate, options);
            }

            var stream = AlertStream.Build(options, (int)(rate * options.DurationSeconds / rounds)).Messages;
            var windows = new[] { new List<PacedWindow>(), new List<PacedWindow>() };
            for (var round = 0; round < rounds; round++)
            {
                // Who goes first alternates, so that neither side always runs right after the other.
                var first = round % 2;
                windows[first].Add(Measure(cluster, sides[first], rate, stream));
                windows[1 - first].Add(Measure(cluster, sides[1 - first], rate, stream));
            }

            return (windows[0], windows[1]);
        }
        finally
        {
            await Task.WhenAll(WorkerProcess.KillAsync(mine), WorkerProcess.KillAsync(theirs));
        }
    }

    /// <summary>Reads the process's backlog (proof that it owns its partitions), then runs an unmeasured paced stream; waits for quiet after each.</summary>
    private static async Task WarmUpAsync(MockKafkaCluster cluster, PacedSide side, int backlog, double rate, LoadOptions options)
    {
        ReadBacklog(side.Output, backlog, side.Failure);
        await WorkerProcess.WaitUntilIdleAsync(side.Process, TimeSpan.FromSeconds(15));
        MeasurePaced(cluster, side.Output, side.Input, rate, AlertStream.Build(options, (int)(rate * PacedWarmUpSeconds)).Messages);
        await WorkerProcess.WaitUntilIdleAsync(side.Process, TimeSpan.FromSeconds(15));
    }

    /// <summary>One window: <paramref name="stream"/> through one side at <paramref name="rate"/>, with that process's CPU meanwhile.</summary>
    private static PacedWindow Measure(MockKafkaCluster cluster, PacedSide side, double rate, Message<byte[], byte[]>[] stream)
    {
        var (cpuBefore, machineBefore) = (ProcessCpu.Read(side.Process), MachineCpu.Read());
        var latencies = MeasurePaced(cluster, side.Output, side.Input, rate, stream);
        return new PacedWindow(latencies, ProcessCpu.Read(side.Process) - cpuBefore, stream.Length, MachineCpu.Read().BusySince(machineBefore));
    }

    /// <summary>A cluster of the paced phase's own: <paramref name="topics"/> on <see cref="PacedPartitions"/> each, and the dead-letter topic.</summary>
    private static MockKafkaCluster PacedCluster(params string[] topics)
    {
        var cluster = new MockKafkaCluster();
        foreach (var topic in topics)
        {
            cluster.CreateTopic(topic, PacedPartitions);
        }

        cluster.CreateTopic("dlq", 1);
        return cluster;
    }

    private static IConsumer<Ignore, Ignore> PacedReader(MockKafkaCluster cluster, string topic)
    {
        var reader = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers, GroupId = "reader-" + topic, AutoOffsetReset = AutoOffsetReset.Earliest, FetchWaitMaxMs = LoadSettings.FetchWaitMaxMs,
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
        var producer = new Thread(() => AlertStream.Send(cluster, input, stream, rate)) { IsBackground = true, Name = "paced-producer" };
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

    /// <param name="InWorker">The worker's own <c>ipenrich.alert.duration</c> (consume → broker acknowledgement) over its paced windows.</param>
    /// <param name="ContractWindows">The copy sending the worker's output shape (<see cref="ContractShape"/>).</param>
    internal sealed record PacedResult(double Rate, ScrapedHistogram InWorker, double WorkerPeakRssMb, IReadOnlyList<PacedWindow> WorkerWindows,
        IReadOnlyList<PacedWindow> CopyWindows, IReadOnlyList<PacedWindow> ContractWindows)
    {
        /// <summary>Send → read latencies over the worker's windows.</summary>
        public Latencies Enriched { get; } = Latencies.Combine(WorkerWindows.Select(w => w.Latencies));

        /// <summary>Send → read latencies over the copy's windows: the transport's share.</summary>
        public Latencies Copy { get; } = Latencies.Combine(CopyWindows.Select(w => w.Latencies));

        /// <summary>CPU per message, copy against worker, over the interleaved windows.</summary>
        public CpuComparison Cpu { get; } = CpuComparison.Of(CopyWindows.Select(w => w.CpuUsPerMessage), WorkerWindows.Select(w => w.CpuUsPerMessage));

        /// <summary>CPU per message, the copy sending the output shape against the worker: the share that is not the contract's Kafka work.</summary>
        public CpuComparison Contract { get; } = CpuComparison.Of(ContractWindows.Select(w => w.CpuUsPerMessage), WorkerWindows.Select(w => w.CpuUsPerMessage));

        /// <summary>The worker process's CPU in its windows, in cores (median).</summary>
        public double WorkerCores => Spread.Of(WorkerWindows.Select(w => w.Cores)).Median;

        /// <summary>The fraction of the machine's CPU in use during the worker's windows (broker, harness and worker; median).</summary>
        public double MachineBusy => Spread.Of(WorkerWindows.Select(w => w.MachineBusy)).Median;
    }

    /// <summary>One process's turn on the paced stream.</summary>
    internal sealed record PacedWindow(Latencies Latencies, TimeSpan Cpu, int Messages, double MachineBusy)
    {
        public double CpuUsPerMessage => Cpu.TotalMicroseconds / Messages;

        public double Cores => Cpu / Latencies.Elapsed;
    }

    /// <summary>A measured process with the topic it reads and the consumer of its output.</summary>
    private sealed record PacedSide(Process Process, string Input, IConsumer<Ignore, Ignore> Output, string ExitedMessage)
    {
        public string? Failure() => Process.HasExited ? ExitedMessage : null;
    }

    /// <summary>A warm-up backlog that fits the paced partitions with room to spare (the mock drops what is past ~5 MiB per partition).</summary>
    private static int PacedBacklog(LoadOptions options) => Math.Min(options.Alerts, 16_000);
}
