using System.Diagnostics;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// Worker replicas in one group, each the real <c>ipenrich</c> entry point in a process of its own (or the bare copy,
/// a process too, so both are measured alike), watched from outside: output from the output topic's high watermarks
/// (exact, and the worker's output is not transactional here), each replica's progress and heap from its
/// <c>/metrics</c>, its CPU time from the kernel. Their heaps and GC pauses
/// are their own, not the harness's (which holds the mock broker's data).
/// </summary>
internal sealed class WorkerReplicas : IAsyncDisposable
{
    private const string AlertDuration = "ipenrich_alert_duration_seconds";

    private readonly Process[] _processes;
    private readonly HttpClient[] _metrics;
    private readonly IConsumer<Ignore, Ignore> _watermarks;
    private readonly TopicPartition[] _output;

    private WorkerReplicas(Process[] processes, HttpClient[] metrics, IConsumer<Ignore, Ignore> watermarks, TopicPartition[] output) =>
        (_processes, _metrics, _watermarks, _output) = (processes, metrics, watermarks, output);

    public int Count => _processes.Length;

    /// <summary>The measured processes.</summary>
    public IReadOnlyList<Process> Processes => _processes;

    /// <summary>Starts <paramref name="replicas"/> workers at once (so they join the group's first generation together).</summary>
    /// <param name="logs">A directory for the workers' logs (<c>{name}-{replica}.log</c>), or null to discard them.</param>
    public static async Task<WorkerReplicas> StartAsync(MockKafkaCluster cluster, Dictionary<string, string?> settings, string output, int outputPartitions,
        int replicas, string? logs, string name)
    {
        // Port 0: each worker binds a port of its own and the harness reads it back (a port picked free beforehand
        // could be taken before the worker bound it, and the worker then exited at start).
        var processes = Enumerable.Range(0, replicas)
            .Select(r => WorkerProcess.Start(settings, logs is null ? null : Path.Combine(logs, $"{name}-{r}.log")))
            .ToArray();
        try
        {
            var ports = await Task.WhenAll(processes.Select(p => ListeningPort.WaitAsync(p, TimeSpan.FromMinutes(1))));
            var metrics = ports.Select(port => new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) }).ToArray();
            return new WorkerReplicas(processes, metrics, Watermarks(cluster, output), OutputPartitions(output, outputPartitions));
        }
        catch
        {
            Array.ForEach(processes, p => p.Kill(entireProcessTree: true));
            throw;
        }
    }

    /// <summary>Starts the bare copy in a process of its own, watched as a lone replica is (it has no <c>/metrics</c>).</summary>
    public static WorkerReplicas StartCopy(MockKafkaCluster cluster, Dictionary<string, string?> kafkaSettings, string output, int outputPartitions) =>
        new([CopyProcess.Start(kafkaSettings)], [], Watermarks(cluster, output), OutputPartitions(output, outputPartitions));

    /// <summary>Records in the output topic (the sum of its partitions' high watermarks).</summary>
    public long Published() => Records(_output);

    /// <summary>Records in another topic the workers write (late updates, say).</summary>
    public long Published(string topic, int partitions) => Records(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)));

    /// <summary>True when every replica has had an alert acknowledged: each owns partitions and its output flows.</summary>
    public async Task<bool> AllFlowingAsync()
    {
        if (_processes.Length == 1)
        {
            return Published() > 0; // a lone replica owns every partition: no scrape (cached by the exporter for 300 ms) needed
        }

        var scrapes = await Task.WhenAll(_metrics.Select(TryScrapeAsync));
        return scrapes.All(s => s is { Count: > 0 });
    }

    /// <summary>The replicas' CPU time (user and system, from the kernel) so far, summed.</summary>
    public TimeSpan CpuTime() => _processes.Aggregate(TimeSpan.Zero, (sum, p) => sum + ProcessCpu.Read(p));

    /// <summary>The replicas' context switches so far, summed over their threads.</summary>
    public long ContextSwitches() => _processes.Sum(ProcessCpu.ContextSwitches);

    /// <summary>The largest peak resident set (VmHWM) of the replicas so far, in MB.</summary>
    public double PeakRssMb() => _processes.Where(p => !p.HasExited).Select(WorkerProcess.PeakRssMb).DefaultIfEmpty(double.NaN).Max();

    /// <summary>The replicas' managed allocations, collections and GC pauses so far, summed from their /metrics.</summary>
    public async Task<ManagedAllocations> ManagedAsync()
    {
        var sum = default(ManagedAllocations);
        foreach (var metrics in _metrics)
        {
            sum = sum.Plus(await ManagedAllocations.ScrapeAsync(metrics));
        }

        return sum;
    }

    /// <summary>Why the replicas cannot finish, or null while they all run.</summary>
    public string? Failure() => _processes.Any(p => p.HasExited) ? "a measured process exited" : null;

    /// <summary>
    /// Polls <paramref name="done"/> every <paramref name="poll"/> until it holds, <paramref name="deadline"/> passes or a
    /// replica exits. Never throws: the caller reads what was reached, and the report notes a failure.
    /// </summary>
    public async Task WaitAsync(Func<Task<bool>> done, DateTime deadline, TimeSpan poll)
    {
        ArgumentNullException.ThrowIfNull(done);
        while (!await done() && DateTime.UtcNow < deadline && Failure() is null)
        {
            await Task.Delay(poll);
        }
    }

    /// <inheritdoc cref="WaitAsync(Func{Task{bool}}, DateTime, TimeSpan)"/>
    public Task WaitAsync(Func<bool> done, DateTime deadline, TimeSpan poll) => WaitAsync(() => Task.FromResult(done()), deadline, poll);

    /// <summary>
    /// Forms the group before any real input: a probe alert without IPs (no lookup, no API call) on every partition
    /// of <paramref name="input"/>, then waits until every replica has published one. A replica that joins after the
    /// mock broker formed the group's first generation set off a rebalance that left partitions idle for tens of
    /// seconds, so the replicas must all own partitions before the timed input arrives. Returns the probes published.
    /// </summary>
    public async Task<long> FormGroupAsync(MockKafkaCluster cluster, string input, int partitions, TimeSpan limit)
    {
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 5 }).Build())
        {
            for (var p = 0; p < partitions; p++)
            {
                producer.Produce(new TopicPartition(input, p), new Message<Null, string> { Value = Probe });
            }

            producer.Flush();
        }

        await WaitAsync(async () => Published() >= partitions && await AllFlowingAsync(), DateTime.UtcNow + limit, TimeSpan.FromMilliseconds(50));
        return Published();
    }

    /// <summary>An alert without IPs; its <c>seq</c> is negative so that checks of the output skip it.</summary>
    public const string Probe = """{"seq":-1,"title":"probe"}""";

    /// <summary>
    /// Times the output from the first record past <paramref name="from"/> (the probes) up to <paramref name="expected"/>
    /// records in all, with the replicas' CPU time and managed heap over the same window.
    /// </summary>
    public async Task<ReplicaWindow> MeasureAsync(long from, long expected, TimeSpan limit)
    {
        var deadline = DateTime.UtcNow + limit;
        await WaitAsync(() => Published() > from, deadline, TimeSpan.FromMilliseconds(5));
        // The scrape comes before the CPU reading: a Prometheus scrape is the exporter's work, not an alert's.
        var gc = await ManagedAsync();
        var (before, cpu, switches, compiler) = (Published(), CpuTime(), ContextSwitches(), RuntimeCompiler.Cpu(_processes));
        var watch = Stopwatch.StartNew();
        long published;
        while ((published = Published()) < expected && DateTime.UtcNow < deadline && Failure() is null)
        {
            await Task.Delay(10);
        }

        watch.Stop();
        var (cpuTime, switched, compiled) = (CpuTime() - cpu, ContextSwitches() - switches, RuntimeCompiler.Cpu(_processes) - compiler);
        gc = (await ManagedAsync()).Since(gc);
        return new ReplicaWindow(new PhaseRate(published - before, watch.Elapsed, gc), cpuTime, PeakRssMb(), switched, compiled);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            await WorkerProcess.KillAsync(process);
            process.Dispose();
        }

        foreach (var metrics in _metrics)
        {
            metrics.Dispose();
        }

        _watermarks.Dispose();
    }

    private static IConsumer<Ignore, Ignore> Watermarks(MockKafkaCluster cluster, string output) =>
        new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "watermarks-" + output }).Build();

    private static TopicPartition[] OutputPartitions(string output, int partitions) =>
        [.. Enumerable.Range(0, partitions).Select(p => new TopicPartition(output, p))];

    private long Records(IEnumerable<TopicPartition> partitions) =>
        partitions.Sum(tp => _watermarks.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(5)).High.Value);

    private static async Task<ScrapedHistogram?> TryScrapeAsync(HttpClient metrics)
    {
        try
        {
            return await ScrapedHistogram.ScrapeAsync(metrics, AlertDuration);
        }
        catch (HttpRequestException)
        {
            return null; // not listening yet
        }
    }
}

/// <summary>
/// A timed window over worker (or copy) processes: the phase, their CPU time, context switches and runtime compiler
/// time meanwhile, their peak RSS by its end.
/// </summary>
internal readonly record struct ReplicaWindow(PhaseRate Phase, TimeSpan WorkerCpu, double PeakRssMb, long ContextSwitches = 0, TimeSpan CompilerCpu = default)
{
    /// <summary>The share of the window's CPU spent by the runtime's background compiler (tiered re-JIT).</summary>
    public double CompilerShare => CompilerCpu / (WorkerCpu > TimeSpan.Zero ? WorkerCpu : TimeSpan.MaxValue);

    /// <summary>The workers' CPU per alert over the window, in microseconds.</summary>
    public double CpuUsPerAlert => WorkerCpu.TotalMicroseconds / Math.Max(1, Phase.Alerts);

    /// <summary>Context switches per alert over the window: how often a message's work waits for, or hands over to, another thread.</summary>
    public double SwitchesPerAlert => (double)ContextSwitches / Math.Max(1, Phase.Alerts);
}
