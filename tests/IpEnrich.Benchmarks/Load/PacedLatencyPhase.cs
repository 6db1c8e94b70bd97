using System.Diagnostics;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The latency targets (in-worker p99 at half the measured maximum rate, worker peak RSS): one worker process fed a
/// steady paced stream on a cluster of its own, then the bare copy process fed the same stream for the transport's share
/// of the latency and of the CPU at the same rate.
/// </summary>
internal static class PacedLatencyPhase
{
    private const string AlertDuration = "ipenrich_alert_duration_seconds";

    /// <summary>The unmeasured paced stream that finishes the worker's warm-up.</summary>
    private const int PacedWarmUpSeconds = 5;

    // The mock broker finds a fetch's offset by walking the partition's list of produce batches from the start, so its
    // cost per fetch grows with the log until the ~5 MiB per-partition retention trims it; a paced stream of small
    // batches on 18 partitions saturated the broker within 10 s (copy p99 70 ms, worker 271 ms), on 8 it stays flat.
    private const int PacedPartitions = 8;

    /// <summary>
    /// One worker in its own process (the real <c>ipenrich</c> entry point, so its peak RSS is the worker's alone):
    /// a backlog warms it up, then alerts are produced at a steady half of <paramref name="maxRate"/> (the warm phase's
    /// measured rate) and the latency from send to the output consumer is measured, along with the worker's own
    /// consume → acknowledged histogram. The same paced stream then goes through the bare copy, whose latency is the
    /// transport's share (producer linger, fetch rounds, broker). Runs on a fresh cluster with few partitions: the
    /// load's cluster holds about 1 GB by then.
    /// </summary>
    public static async Task<PacedResult> RunAsync(RunningEmulator emulator, RedisServer? redis, LoadOptions options, double maxRate)
    {
        using var cluster = new MockKafkaCluster();
        foreach (var topic in new[] { "in-paced", "out-paced", "in-paced-copy", "out-paced-copy", "dlq" })
        {
            cluster.CreateTopic(topic, topic == "dlq" ? 1 : PacedPartitions);
        }

        var rate = Math.Max(100, maxRate / 2);
        var backlog = PacedBacklog(options);
        AlertStream.Produce(cluster, "in-paced", options, backlog, everyIp: true); // the latency target is for a warm cache
        using var worker = WorkerProcess.Start(LoadSettings.Worker(cluster, emulator, redis, "in-paced", "out-paced", "ipenrich-paced"),
            options.WorkerLogs is { } logs ? Path.Combine(logs, "paced-worker.log") : null);
        double rssMb, workerCores, machineBusy;
        ScrapedHistogram inWorker;
        Latencies enriched;
        try
        {
            using var metrics = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{await ListeningPort.WaitAsync(worker, TimeSpan.FromMinutes(1))}") };
            using var reader = PacedReader(cluster, "out-paced");
            string? Exited() => worker.HasExited ? "the worker process exited" : null;

            // The backlog's output proves the worker has joined and owns its partitions; it fills the cache and runs
            // the JIT. A paced warm-up stream then runs the steady-state paths (small fetches, idle prepare loops
            // waking): perf showed tier-1 compilation taking 30 % of a core for the first 3 s of a paced stream that
            // followed the backlog alone. A worker that runs for days does this once, so the measured stream starts
            // when the process has gone quiet after both.
            ReadBacklog(reader, backlog, Exited);
            await WorkerProcess.WaitUntilIdleAsync(worker, TimeSpan.FromSeconds(15));
            MeasurePaced(cluster, reader, "in-paced", rate, AlertStream.Build(options, (int)(rate * PacedWarmUpSeconds)).Messages);
            await WorkerProcess.WaitUntilIdleAsync(worker, TimeSpan.FromSeconds(15));
            var stream = AlertStream.Build(options, (int)(rate * options.DurationSeconds)).Messages; // before the measured window
            var durationsBefore = await ScrapedHistogram.ScrapeAsync(metrics, AlertDuration); // the exporter's work: before the CPU reading
            var (cpuBefore, machineBefore) = (ProcessCpu.Read(worker), MachineCpu.Read());
            enriched = MeasurePaced(cluster, reader, "in-paced", rate, stream);
            (workerCores, machineBusy) = ((ProcessCpu.Read(worker) - cpuBefore) / enriched.Elapsed, MachineCpu.Read().BusySince(machineBefore));
            inWorker = (await ScrapedHistogram.ScrapeAsync(metrics, AlertDuration)).Since(durationsBefore);
            rssMb = WorkerProcess.PeakRssMb(worker); // read while the process exists
        }
        finally
        {
            await WorkerProcess.KillAsync(worker);
        }

        // The copy is a process too, warmed the same way (a backlog that forms its group, then an unmeasured paced
        // stream), so the two CPU figures are for the same messages at the same rate: their batches are alike, which
        // they are not at full rate, where the faster copy fills each produce batch with more messages.
        const int CopyWarmUp = 2_000;
        using var copyProcess = CopyProcess.Start(LoadSettings.Kafka(cluster.BootstrapServers, "in-paced-copy", "out-paced-copy", "paced-copy"));
        try
        {
            AlertStream.Produce(cluster, "in-paced-copy", options, CopyWarmUp);
            using var reader = PacedReader(cluster, "out-paced-copy");
            string? CopyExited() => copyProcess.HasExited ? "the copy process exited" : null;
            ReadBacklog(reader, CopyWarmUp, CopyExited);
            MeasurePaced(cluster, reader, "in-paced-copy", rate, AlertStream.Build(options, (int)(rate * PacedWarmUpSeconds)).Messages);
            await WorkerProcess.WaitUntilIdleAsync(copyProcess, TimeSpan.FromSeconds(15));
            var stream = AlertStream.Build(options, (int)(rate * options.DurationSeconds)).Messages;
            var cpuBefore = ProcessCpu.Read(copyProcess);
            var copied = MeasurePaced(cluster, reader, "in-paced-copy", rate, stream);
            var copyCores = (ProcessCpu.Read(copyProcess) - cpuBefore) / copied.Elapsed;
            return new PacedResult(rate, enriched, copied, inWorker, rssMb, workerCores, copyCores, machineBusy);
        }
        finally
        {
            await WorkerProcess.KillAsync(copyProcess);
        }
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

    /// <param name="WorkerCores">The worker process's CPU while paced, in cores.</param>
    /// <param name="CopyCores">The copy process's CPU on the same paced stream, in cores.</param>
    /// <param name="MachineBusy">The fraction of the machine's CPU in use meanwhile (broker, harness and worker).</param>
    /// <param name="InWorker">The worker's own <c>ipenrich.alert.duration</c> (consume → broker acknowledgement) over the paced stream.</param>
    internal sealed record PacedResult(double Rate, Latencies Enriched, Latencies Copy, ScrapedHistogram InWorker, double WorkerPeakRssMb, double WorkerCores,
        double CopyCores, double MachineBusy)
    {
        public double WorkerCpuUsPerAlert => WorkerCores * 1e6 / Rate;

        public double CopyCpuUsPerMsg => CopyCores * 1e6 / Rate;
    }

    /// <summary>A warm-up backlog that fits the paced partitions with room to spare (the mock drops what is past ~5 MiB per partition).</summary>
    private static int PacedBacklog(LoadOptions options) => Math.Min(options.Alerts, 16_000);
}
