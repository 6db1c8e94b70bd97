using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// One throughput phase over processes of their own (worker replicas, or the bare copy): they form their group on
/// probe alerts, then the load's alerts are copied into their input and they are timed from the first output to the last.
/// The feed overlaps the first second or two of the window (CPU the measured processes share), the price of a group
/// formed before any timed input: replicas joining late stalled partitions for tens of seconds.
/// With <c>steadyState</c> the processes first get <see cref="WarmUpTopic"/>'s alerts, and the window opens once the
/// runtime's background compiler has gone quiet: a fresh process spends its first seconds re-JITting hot code (tiered
/// compilation, PGO), and users size replicas by what a running worker costs.
/// </summary>
internal static class MeasuredPhase
{
    /// <summary>Alerts numbered below zero (skipped by the output checks) that a steady-state phase is fed first.</summary>
    public const string WarmUpTopic = "warmup";

    private static readonly TimeSpan CompilerQuiet = TimeSpan.FromSeconds(1);

    /// <param name="answeredAll">
    /// For a phase that fills the cache: true once every lookup the phase wanted is answered. The workers keep running
    /// after the window until it is (two minutes at most), because alerts go out deferred and their lookups finish in
    /// the backlog: stopped at the last output, a slow cold phase left hundreds of IPs uncached, and the next "warm"
    /// worker spent its window waiting for the API.
    /// </param>
    public static async Task<ReplicaWindow> WorkersAsync(MockKafkaCluster cluster, Dictionary<string, string?> settings, string input, string output, string group,
        int replicas, LoadOptions options, bool steadyState = false, Func<Task<bool>>? answeredAll = null)
    {
        await using var workers = await WorkerReplicas.StartAsync(cluster, settings, output, options.Partitions, replicas, options.WorkerLogs, group);
        var window = await MeasureAsync(workers, cluster, input, group, options, steadyState);
        if (answeredAll is not null)
        {
            await workers.WaitAsync(answeredAll, DateTime.UtcNow + TimeSpan.FromMinutes(2), TimeSpan.FromMilliseconds(200));
            await Task.Delay(TimeSpan.FromSeconds(1)); // the last answers' writes to Redis
        }

        return window;
    }

    /// <summary>The bare copy process, with the Kafka settings a worker of <paramref name="group"/> would get.</summary>
    public static async Task<ReplicaWindow> CopyAsync(MockKafkaCluster cluster, string input, string output, string group, LoadOptions options)
    {
        await using var copy = WorkerReplicas.StartCopy(cluster, LoadSettings.Kafka(cluster.BootstrapServers, input, output, group), output, options.Partitions);
        return await MeasureAsync(copy, cluster, input, group, options, steadyState: true);
    }

    private static async Task<ReplicaWindow> MeasureAsync(WorkerReplicas processes, MockKafkaCluster cluster, string input, string name, LoadOptions options,
        bool steadyState)
    {
        var opensAt = await processes.FormGroupAsync(cluster, input, options.Partitions, TimeSpan.FromMinutes(2));
        if (steadyState)
        {
            opensAt = await WarmUpAsync(processes, cluster, input, opensAt, options);
        }

        var feed = InProcessCopy.RunAsync(cluster.BootstrapServers, options.Alerts, "in", input, "feed-" + input);
        var window = await processes.MeasureAsync(opensAt, opensAt + options.Alerts, TimeSpan.FromMinutes(10));
        await feed;
        if (processes.Failure() is { } failure)
        {
            Console.WriteLine($"  note: {failure} during {name}");
        }

        return window;
    }

    /// <summary>
    /// Feeds the warm-up alerts in rounds, each time waiting for their output and for the compiler to go quiet; returns the
    /// records published by then. One round leaves methods part-way through tiering (call counts, PGO's instrumented
    /// tier), which the load then pushes over: a second round lets that compilation happen before the window.
    /// </summary>
    private static async Task<long> WarmUpAsync(WorkerReplicas processes, MockKafkaCluster cluster, string input, long published, LoadOptions options)
    {
        var alerts = options.WarmUpAlerts;
        for (var round = 1; round <= LoadOptions.WarmUpRounds; round++)
        {
            await InProcessCopy.RunAsync(cluster.BootstrapServers, alerts, WarmUpTopic, input, $"warmup-{round}-{input}");
            var target = published + alerts;
            await processes.WaitAsync(() => processes.Published() >= target, DateTime.UtcNow + TimeSpan.FromMinutes(5), TimeSpan.FromMilliseconds(20));
            await processes.ManagedAsync(); // the window's scrapes then find the exporter compiled
            await RuntimeCompiler.WaitUntilIdleAsync(processes.Processes, CompilerQuiet, TimeSpan.FromSeconds(30));
            published = processes.Published();
        }

        return published;
    }
}
