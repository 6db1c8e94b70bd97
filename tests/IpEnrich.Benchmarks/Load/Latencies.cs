namespace IpEnrich.Benchmarks.Load;

/// <summary>Latency percentiles in milliseconds (NaN when nothing arrived).</summary>
internal sealed class Latencies
{
    private readonly List<double> _sorted;

    public Latencies(List<double> values, TimeSpan elapsed)
    {
        _sorted = values;
        _sorted.Sort();
        Elapsed = elapsed;
    }

    public TimeSpan Elapsed { get; }

    /// <summary>The values of several measurements together, over their summed time.</summary>
    public static Latencies Combine(IEnumerable<Latencies> parts)
    {
        var list = parts.ToList();
        return new Latencies([.. list.SelectMany(p => p._sorted)], list.Aggregate(TimeSpan.Zero, (sum, p) => sum + p.Elapsed));
    }

    public int Count => _sorted.Count;

    public double P50 => Percentile(0.50);

    public double P99 => Percentile(0.99);

    public double Max => _sorted.Count == 0 ? double.NaN : _sorted[^1];

    private double Percentile(double p) => _sorted.Count == 0 ? double.NaN : _sorted[Math.Min(_sorted.Count - 1, (int)(_sorted.Count * p))];
}
