using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// One throughput phase over processes of their own (worker replicas, or the bare copy): they form their group on
/// probe alerts, then the load's alerts are copied into their input and they are timed from the first output to the last.
/// The feed overlaps the first second or two of the window (CPU the measured processes share), the price of a group
/// formed before any timed input: replicas joining late stalled partitions for tens of seconds.
/// With <c>steadyState</c> the window opens only after the first third of the load is out: a fresh process spends its
/// first seconds compiling (tiered JIT), and users size replicas by what a running worker costs.
/// </summary>
internal static class MeasuredPhase
{
    public static async Task<ReplicaWindow> WorkersAsync(MockKafkaCluster cluster, Dictionary<string, string?> settings, string input, string output, string group,
        int replicas, LoadOptions options, bool steadyState = false)
    {
        await using var workers = await WorkerReplicas.StartAsync(cluster, settings, output, options.Partitions, replicas, options.WorkerLogs, group);
        return await MeasureAsync(workers, cluster, input, group, options, steadyState);
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
        var probes = await processes.FormGroupAsync(cluster, input, options.Partitions, TimeSpan.FromMinutes(2));
        var feed = InProcessCopy.RunAsync(cluster.BootstrapServers, options.Alerts, "in", input, "feed-" + input);
        var opensAt = probes + (steadyState ? options.Alerts / 3 : 0);
        var window = await processes.MeasureAsync(opensAt, probes + options.Alerts, TimeSpan.FromMinutes(10));
        await feed;
        if (processes.Failure() is { } failure)
        {
            Console.WriteLine($"  note: {failure} during {name}");
        }

        return window;
    }
}
