using System.Globalization;

namespace IpEnrich.Benchmarks.Load;

/// <summary>The <c>load</c> options (defaults are the documented contract run).</summary>
internal sealed record LoadOptions(int Alerts, int Ips, double Zipf, int Replicas, int AlertBytes, int DurationSeconds, bool Cold, string? WorkerLogs, int BacklogIps)
{
    // A mock partition keeps only about 5 MiB and silently drops older data (docs/architecture.md §11): size the partition count so
    // every topic holds the whole run with room to spare.
    private const long BytesPerPartition = 3L * 1024 * 1024;
    private const int MinPartitions = 16;
    private const int MaxPartitions = 256;

    public const string Usage = "usage: load [--alerts N] [--ips U] [--zipf S] [--replicas R] [--alert-bytes B] [--duration S] [--cold] "
        + "[--backlog-ips N] [--worker-logs DIR], or load --chaos [--rate R] [--phase-seconds S]";

    /// <summary>The options of <c>load</c>, which <c>worker-ab</c> takes too.</summary>
    public static readonly IReadOnlyDictionary<string, OptionKind> Options = new Dictionary<string, OptionKind>
    {
        ["--alerts"] = OptionKind.Integer,
        ["--ips"] = OptionKind.Integer,
        ["--zipf"] = OptionKind.Number,
        ["--replicas"] = OptionKind.Integer,
        ["--alert-bytes"] = OptionKind.Integer,
        ["--duration"] = OptionKind.Integer,
        ["--paced-seconds"] = OptionKind.Integer,
        ["--cold"] = OptionKind.Flag,
        ["--worker-logs"] = OptionKind.Text,
        ["--backlog-ips"] = OptionKind.Integer,
    };

    /// <summary>Rounds of warm-up a steady-state phase gets (<see cref="MeasuredPhase"/>).</summary>
    public const int WarmUpRounds = 2;

    /// <summary>What a steady-state phase is fed per warm-up round: in all, enough for every hot method to reach its final tier.</summary>
    public int WarmUpAlerts => Alerts / (2 * WarmUpRounds);

    /// <summary>Enough partitions that no topic (warm-up and load) outgrows the mock broker's per-partition retention.</summary>
    public int Partitions => (int)Math.Max(RequiredPartitions, MinPartitions);

    private long RequiredPartitions => ((long)(Alerts + (WarmUpRounds * WarmUpAlerts)) * (AlertBytes + 64) / BytesPerPartition) + 1;

    /// <summary>
    /// Why <c>load</c> cannot run with <paramref name="args"/>, in one line naming the option at fault, or null: an option it
    /// does not take (<see cref="HarnessArgs.Problem"/>), or a run larger than the mock broker keeps (its outputs would be
    /// dropped and the run never end).
    /// </summary>
    public static string? Problem(string[] args)
    {
        if (HarnessArgs.Problem(args, Options) is { } problem)
        {
            return problem;
        }

        var options = Parse(args);
        if (options.RequiredPartitions <= MaxPartitions)
        {
            return null;
        }

        var fedPerAlert = (options.Alerts + (WarmUpRounds * options.WarmUpAlerts)) / (double)options.Alerts; // the warm-up's share on top
        var largest = (long)((MaxPartitions - 1) * BytesPerPartition / ((options.AlertBytes + 64) * fedPerAlert));
        return $"--alerts: {options.Alerts:N0} alerts of ~{options.AlertBytes:N0} B are more than {MaxPartitions} partitions of the mock broker "
            + $"hold (each keeps about 5 MiB and drops older data); at most {largest:N0}";
    }

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
