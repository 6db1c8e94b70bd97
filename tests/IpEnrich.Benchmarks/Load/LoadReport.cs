using System.Globalization;
using System.Text.Json;

namespace IpEnrich.Benchmarks.Load;

/// <summary>The load run's figures: a table for people and, last, one JSON line (the contract) for scripts.</summary>
internal sealed record LoadReport(LoadOptions Options, int UniqueIps, long ApiCalls, long Throttled, ReplicaWindow Cold, BacklogDrainPhase.Result? Backlog,
    List<ReplicaWindow> Copies, List<ReplicaWindow> Warms, ReplicaWindow WarmReplicas, PacedLatencyPhase.PacedResult Paced, int Lost, int Duplicates, double HarnessPeakRssMb)
{
    private Spread CopyRate => Spread.Of(Copies.Select(c => c.Phase.PerSecond));

    private Spread WarmRate => Spread.Of(Warms.Select(w => w.Phase.PerSecond));

    private CpuComparison Cpu { get; } = CpuComparison.Of(Copies.Select(c => c.CpuUsPerAlert), Warms.Select(w => w.CpuUsPerAlert));

    private Spread CopySwitches => Spread.Of(Copies.Select(c => c.SwitchesPerAlert));

    private Spread WorkerSwitches => Spread.Of(Warms.Select(w => w.SwitchesPerAlert));

    private Spread CopyCompiler => Spread.Of(Copies.Select(c => c.CompilerShare * 100));

    private Spread WorkerCompiler => Spread.Of(Warms.Select(w => w.CompilerShare * 100));

    private double WarmPeakRssMb => Warms.Append(WarmReplicas).Max(w => w.PeakRssMb);

    public void Print()
    {
        var median = Warms.OrderBy(w => w.Phase.PerSecond).ElementAt(Warms.Count / 2);
        var (latency, copy, inWorker) = (Paced.Enriched, Paced.Copy, Paced.InWorker);
        Console.WriteLine($"bare copy       : {CopyRate.Describe("N0")} msgs/s, CPU {Cpu.Copy.Describe("F1")} µs per message (its own process, median (min–max) of {Copies.Count})");
        Console.WriteLine($"ipenrich warm   : {WarmRate.Describe("N0")} alerts/s, CPU {Cpu.Worker.Describe("F1")} µs per alert (1 worker process, of {Warms.Count}, "
            + $"interleaved with the copy); {WarmReplicas.Phase.PerSecond:N0} alerts/s with {Options.Replicas} worker processes");
        Console.WriteLine($"CPU ratio       : {Cpu.Ratio:F3} copy/worker CPU per message (pairs {Cpu.Pairs.Describe("F3")}; target ≥ 0.5)");
        Console.WriteLine($"context switches: copy {CopySwitches.Describe("F2")} per message, worker {WorkerSwitches.Describe("F2")} per alert (all their threads, over the same windows)");
        Console.WriteLine($"tiered compiler : copy {CopyCompiler.Describe("F1")} %, worker {WorkerCompiler.Describe("F1")} % of the window's CPU (the runtime's background re-JIT, still in the window)");
        Console.WriteLine($"throughput ratio: {WarmRate.Median / CopyRate.Median:F3} worker/copy alerts/s (noisy: it measures what else the 2 shared cores run)");
        Console.WriteLine($"  managed heap   : median warm worker process {median.Phase.Gc.Describe(median.Phase.Alerts)} (its /metrics)");
        Console.WriteLine($"latency @ {Paced.Rate:N0}/s : ipenrich p50 {latency.P50:F1} ms, p99 {latency.P99:F1} ms, max {latency.Max:F0} ms ({latency.Count:N0} alerts); "
            + $"copy p50 {copy.P50:F1} ms, p99 {copy.P99:F1} ms, max {copy.Max:F0} ms (producer → output consumer; half of the warm rate; "
            + $"machine {Paced.MachineBusy:P0} busy)");
        Console.WriteLine($"  CPU, paced     : worker {Paced.Cpu.Worker.Describe("F1")} µs per alert ({Paced.WorkerCores:P0} of a core), copy {Paced.Cpu.Copy.Describe("F1")} µs "
            + $"per message: ratio {Paced.Cpu.Ratio:F3} (pairs {Paced.Cpu.Pairs.Describe("F3")}) at the same rate, {Paced.WorkerWindows.Count} windows each, interleaved");
        Console.WriteLine($"  contract copy  : {Paced.Contract.Copy.Describe("F1")} µs per message sending the worker's output shape without enriching (the same windows' turns): "
            + $"copy/contract {Paced.Cpu.Copy.Median / Paced.Contract.Copy.Median:F3}, contract/worker {Paced.Contract.Ratio:F3} (pairs {Paced.Contract.Pairs.Describe("F3")}); "
            + $"enrichment's own {Paced.Cpu.Worker.Median - Paced.Contract.Copy.Median:F1} µs per alert");
        Console.WriteLine($"  in the worker  : consume → acknowledged p50 {inWorker.Quantile(0.5) * 1000:F1} ms, p99 {inWorker.Quantile(0.99) * 1000:F1} ms "
            + $"({inWorker.Count:N0} alerts; its ipenrich.alert.duration histogram, quantiles as the dashboard computes them; target p99 ≤ 50 ms)");
        Console.WriteLine($"API calls       : {ApiCalls:N0} for {UniqueIps:N0} distinct IPs ({(double)ApiCalls / UniqueIps:F3} per IP) over cold and warm, throttled {Throttled}");
        Console.WriteLine($"lost {Lost}, duplicates {Duplicates} (cold and warm workers' outputs)");
        Console.WriteLine($"peak RSS        : worker process {Paced.WorkerPeakRssMb:F0} MB paced, {WarmPeakRssMb:F0} MB warm at full rate, {Cold.PeakRssMb:F0} MB cold (target ≤ 300 MB); "
            + $"harness process {HarnessPeakRssMb:F0} MB (mock broker, emulator)");
        Console.WriteLine(Json());
    }

    private string Json() => JsonSerializer.Serialize(new Dictionary<string, object?>(
    [
        new("alerts", Options.Alerts),
        new("runs", Copies.Count),
        .. Ranged("copyCpuUsPerMsg", Cpu.Copy, 1),
        .. Ranged("workerCpuUsPerAlert", Cpu.Worker, 1),
        new("cpuRatio", Round(Cpu.Ratio, 3)),
        new("cpuRatioMin", Round(Cpu.Pairs.Min, 3)),
        new("cpuRatioMax", Round(Cpu.Pairs.Max, 3)),
        .. Ranged("copySwitchesPerMsg", CopySwitches, 2),
        .. Ranged("workerSwitchesPerAlert", WorkerSwitches, 2),
        .. Ranged("copyCompilerPercent", CopyCompiler, 1),
        .. Ranged("workerCompilerPercent", WorkerCompiler, 1),
        .. Ranged("baselineAlertsPerSec", CopyRate, 0),
        .. Ranged("warmAlertsPerSec", WarmRate, 0),
    ])
    {
        ["ipenrichAlertsPerSec"] = Round(Headline, 0),
        ["ratio"] = Round(Headline / CopyRate.Median, 3),
        ["coldAlertsPerSec"] = Round(Cold.Phase.PerSecond, 0),
        ["warmReplicasAlertsPerSec"] = Round(WarmReplicas.Phase.PerSecond, 0),
        ["replicas"] = Options.Replicas,
        ["p50Ms"] = Round(Paced.Enriched.P50, 1),
        ["p99Ms"] = Round(Paced.Enriched.P99, 1),
        ["workerP50Ms"] = Round(Paced.InWorker.Quantile(0.5) * 1000, 1),
        ["workerP99Ms"] = Round(Paced.InWorker.Quantile(0.99) * 1000, 1),
        ["copyP50Ms"] = Round(Paced.Copy.P50, 1),
        ["copyP99Ms"] = Round(Paced.Copy.P99, 1),
        ["pacedAlertsPerSec"] = Round(Paced.Rate, 0),
        ["pacedWorkerCores"] = Round(Paced.WorkerCores, 2),
        ["pacedWorkerCpuUsPerAlert"] = Round(Paced.Cpu.Worker.Median, 1),
        ["pacedCopyCpuUsPerMsg"] = Round(Paced.Cpu.Copy.Median, 1),
        ["pacedCpuRatio"] = Round(Paced.Cpu.Ratio, 3),
        ["pacedCpuRatioMin"] = Round(Paced.Cpu.Pairs.Min, 3),
        ["pacedCpuRatioMax"] = Round(Paced.Cpu.Pairs.Max, 3),
        ["pacedMachineBusy"] = Round(Paced.MachineBusy, 2),
        ["pacedContractCpuUsPerMsg"] = Round(Paced.Contract.Copy.Median, 1),
        ["pacedContractCpuRatio"] = Round(Paced.Contract.Ratio, 3),
        ["pacedContractCpuRatioMin"] = Round(Paced.Contract.Pairs.Min, 3),
        ["pacedContractCpuRatioMax"] = Round(Paced.Contract.Pairs.Max, 3),
        ["uniqueIps"] = UniqueIps,
        ["apiCalls"] = ApiCalls,
        ["apiCallsPerUniqueIp"] = Round((double)ApiCalls / UniqueIps, 3),
        ["throttled"] = Throttled,
        ["lost"] = Lost,
        ["duplicates"] = Duplicates,
        ["peakRssMb"] = Round(Paced.WorkerPeakRssMb, 0),
        ["warmPeakRssMb"] = Round(WarmPeakRssMb, 0),
        ["coldPeakRssMb"] = Round(Cold.PeakRssMb, 0),
        ["harnessPeakRssMb"] = Round(HarnessPeakRssMb, 0),
        ["backlogDrainPerBudget"] = Round(Backlog?.PerBudget, 3),
        ["backlogDrainMinPerBudget"] = Round(Backlog?.MinPerBudget, 3),
        ["backlogThrottled"] = Backlog?.Throttled,
        ["backlogAwaitingUpdates"] = Backlog?.Awaiting,
        ["backlogLateUpdates"] = Backlog?.LateUpdates,
        ["coldWorkerCpuUsPerAlert"] = Round(Cold.CpuUsPerAlert, 1),
    });

    /// <summary>The throughput the contract's <c>ratio</c> compares with the copy: warm (median), or cold with <c>--cold</c>.</summary>
    private double Headline => Options.Cold ? Cold.Phase.PerSecond : WarmRate.Median;

    /// <summary>The median as <paramref name="name"/>, and its range as <c>{name}Min</c> and <c>{name}Max</c>.</summary>
    private static KeyValuePair<string, object?>[] Ranged(string name, Spread spread, int digits) =>
        [new(name, Round(spread.Median, digits)), new(name + "Min", Round(spread.Min, digits)), new(name + "Max", Round(spread.Max, digits))];

    /// <summary>A figure for the JSON line, or null when it was not measured (JSON has no NaN).</summary>
    private static double? Round(double? value, int digits) => value is { } v && double.IsFinite(v) ? Math.Round(v, digits) : null;
}
