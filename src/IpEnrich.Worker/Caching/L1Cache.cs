using System.Collections.Concurrent;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Caching;

/// <summary>
/// The in-process first level (docs/architecture.md §4): recent answers by cache key, each kept until a time the
/// caller gives, at most about <c>capacity</c> of them. A hit only reads: the hottest addresses are read by every
/// prepare loop at once, and a cache that records each access (MemoryCache writes its entry's access time) bounced
/// those entries between the cores. Two generations stand in for LRU eviction: when the current one is full it
/// becomes the old one and the previous old one is dropped; a hit in the old one is carried into the current one.
/// </summary>
internal sealed class L1Cache<TKey>
    where TKey : notnull
{
    private readonly int _perGeneration;
    private readonly Lock _rotation = new();
    private volatile Generation _current = new();
    private volatile Generation _old = new();

    public L1Cache(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _perGeneration = Math.Max(1, capacity / 2);
    }

    /// <summary>Entries held now, both generations (approximate while other threads add).</summary>
    public int Count => _current.Count + _old.Count;

    /// <summary>
    /// The cached answer for <paramref name="key"/> unless it is missing or past its time at <paramref name="now"/>.
    /// Kept in the entry itself, as the cache hands it out: a hit reads the node and its entry, nothing further.
    /// </summary>
    public bool TryGet(TKey key, DateTimeOffset now, out IpLookupResult answer)
    {
        if (_current.Entries.TryGetValue(key, out var entry))
        {
            var fresh = entry.Until > now;
            answer = fresh ? entry.Answer : default;
            return fresh;
        }

        if (_old.Entries.TryGetValue(key, out entry) && entry.Until > now)
        {
            Add(key, entry);
            answer = entry.Answer;
            return true;
        }

        answer = default;
        return false;
    }

    /// <summary>Keeps <paramref name="stats"/> under <paramref name="key"/> until <paramref name="until"/>, replacing any entry.</summary>
    public void Set(TKey key, CachedStats stats, DateTimeOffset until) => Add(key, new Entry(stats.ToResult(LookupSource.Cache), until));

    private void Add(TKey key, Entry entry)
    {
        var current = _current;
        if (!current.Entries.TryAdd(key, entry))
        {
            current.Entries[key] = entry;
            return;
        }

        if (Interlocked.Increment(ref current.Count) >= _perGeneration)
        {
            lock (_rotation)
            {
                if (_current == current)
                {
                    (_old, _current) = (current, new Generation());
                }
            }
        }
    }

    private sealed class Generation
    {
        public readonly ConcurrentDictionary<TKey, Entry> Entries = new();

        // Counted here: ConcurrentDictionary.Count takes every lock.
        public int Count;
    }

    private sealed record Entry(IpLookupResult Answer, DateTimeOffset Until);
}
