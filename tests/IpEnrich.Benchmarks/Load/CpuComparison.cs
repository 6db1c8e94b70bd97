namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The bare copy against the worker, CPU per message over interleaved windows: each side's spread, the medians'
/// ratio (the headline) and its range over the pairs (window i of each side).
/// </summary>
internal sealed record CpuComparison(Spread Copy, Spread Worker, Spread Pairs)
{
    public double Ratio => Copy.Median / Worker.Median;

    public static CpuComparison Of(IEnumerable<double> copy, IEnumerable<double> worker)
    {
        var (copies, workers) = (copy.ToList(), worker.ToList());
        return new CpuComparison(Spread.Of(copies), Spread.Of(workers), Spread.Of(copies.Zip(workers, (c, w) => c / w)));
    }
}
