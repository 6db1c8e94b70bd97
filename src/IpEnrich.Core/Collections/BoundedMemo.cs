using System.Collections.Concurrent;

namespace IpEnrich.Core.Collections;

/// <summary>
/// A thread-safe memo of values derived from keys that repeat (the IPs of an alert stream), bounded by count: once
/// full it starts over. Crude but bounded: a hostile stream of unique keys cannot grow memory without limit, and the
/// keys that repeat are back after their next use.
/// </summary>
public sealed class BoundedMemo<TKey, TValue>(int capacity)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, TValue> _values = new();

    /// <summary>The value for <paramref name="key"/>, made by <paramref name="create"/> (with <paramref name="state"/>) on a miss.</summary>
    public TValue GetOrAdd<TState>(TKey key, Func<TKey, TState, TValue> create, TState state)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (_values.TryGetValue(key, out var value))
        {
            return value;
        }

        if (_values.Count >= capacity)
        {
            _values.Clear(); // Count takes every lock: only on a miss, never on the hot hit path
        }

        return _values.GetOrAdd(key, create, state);
    }
}
