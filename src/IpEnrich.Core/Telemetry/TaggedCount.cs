using System.Diagnostics.Metrics;

namespace IpEnrich.Core.Telemetry;

/// <summary>
/// A counter by one tag whose values are known up front, for the counts made per alert: a count is one interlocked add
/// here, and the totals are read when the metrics are collected (an observable counter), where a
/// <see cref="Counter{T}"/> makes the metrics SDK find the tag's series on every measurement. Exported alike: a
/// monotonic sum, each series from its first count on.
/// </summary>
public sealed class TaggedCount
{
    private readonly string[] _values;
    private readonly KeyValuePair<string, object?>[] _tags;
    private readonly long[] _counts;

    internal TaggedCount(Meter meter, string name, string unit, string description, string tag, IReadOnlyList<string> values)
    {
        _values = [.. values];
        _tags = [.. values.Select(value => new KeyValuePair<string, object?>(tag, value))];
        _counts = new long[_values.Length];
        Instrument = meter.CreateObservableCounter(name, Observe, unit, description);
    }

    public ObservableCounter<long> Instrument { get; }

    /// <summary>Counts <paramref name="count"/> under <paramref name="value"/>, one of the tag's values.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is not one of them.</exception>
    public void Add(long count, string value)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Add(ref _counts[IndexOf(value)], count);
    }

    // string.Equals compares references first: the callers' constants match without comparing text.
    private int IndexOf(string value) => Array.IndexOf(_values, value) is >= 0 and var index
        ? index
        : throw new ArgumentOutOfRangeException(nameof(value), value, $"not a value of {Instrument.Name}'s tag");

    private IEnumerable<Measurement<long>> Observe()
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            if (Interlocked.Read(ref _counts[i]) is > 0 and var count)
            {
                yield return new Measurement<long>(count, _tags[i]);
            }
        }
    }
}
