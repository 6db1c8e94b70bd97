using System.Globalization;

namespace IpEnrich.Benchmarks.Load;

/// <summary>The <c>load</c> options (defaults are the documented contract run).</summary>
internal sealed record LoadOptions(int Alerts, int Ips, double Zipf, int Replicas, int AlertBytes, int DurationSeconds, bool Cold, string? WorkerLogs, int BacklogIps)
{
    // A mock partition keeps only about 5 MiB and silently drops older data (docs/architecture.md §11): size the partition count so
    // every topic holds the whole run with room to spare.
    private const long BytesPerPartition = 3L * 1024 * 1024;

    /// <summary>Rounds of warm-up a steady-state phase gets (<see cref="MeasuredPhase"/>).</summary>
    public const int WarmUpRounds = 2;

    /// <summary>What a steady-state phase is fed per warm-up round: in all, enough for every hot method to reach its final tier.</summary>
    public int WarmUpAlerts => Alerts / (2 * WarmUpRounds);

    /// <summary>Enough partitions that no topic (warm-up and load) outgrows the mock broker's per-partition retention.</summary>
    public int Partitions => (int)Math.Clamp((long)(Alerts + (WarmUpRounds * WarmUpAlerts)) * (AlertBytes + 64) / BytesPerPartition + 1, 16, 256);

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
            Get("--worker-logs") is { } logs ? Directory.CreateDirectory(logs).FullName : null,
            int.Parse(Get("--backlog-ips") ?? "600", CultureInfo.InvariantCulture));
    }
}
