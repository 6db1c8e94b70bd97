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

    // Counted here, not read from the dictionary: ConcurrentDictionary.Count takes every lock, which made each miss of
    // a stream of new addresses wait on every other thread's lookups.
    private int _count;

    /// <summary>The value for <paramref name="key"/>, made by <paramref name="create"/> (with <paramref name="state"/>) on a miss.</summary>
    public TValue GetOrAdd<TState>(TKey key, Func<TKey, TState, TValue> create, TState state)
    {
        ArgumentNullException.ThrowIfNull(create);
        if (_values.TryGetValue(key, out var value))
        {
            return value;
        }

        if (Volatile.Read(ref _count) >= capacity)
        {
            // Racing adds may be cleared or counted twice around this: the bound is approximate, never unbounded.
            _values.Clear();
            Volatile.Write(ref _count, 0);
        }

        value = create(key, state);
        if (_values.TryAdd(key, value))
        {
            Interlocked.Increment(ref _count);
            return value;
        }

        return _values.TryGetValue(key, out var winner) ? winner : value;
    }

    /// <summary>Entries held now (approximate while other threads add).</summary>
    public int Count => Volatile.Read(ref _count);
}
