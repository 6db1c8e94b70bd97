using System.Collections.Concurrent;

namespace IpEnrich.Worker.Caching;

/// <summary>
/// Cache entries Redis refused, kept (newest per key, at most <paramref name="capacity"/>) until it answers again;
/// one flush at a time takes them all.
/// </summary>
internal sealed class UnwrittenEntries(int capacity)
{
    private readonly ConcurrentDictionary<string, CachedStats> _entries = new(StringComparer.Ordinal);
    private int _flushing;

    public int Count => _entries.Count;

    public void Add(string key, CachedStats entry)
    {
        if (_entries.Count < capacity || _entries.ContainsKey(key))
        {
            _entries[key] = entry;
        }
    }

    /// <summary>True (with the entries, now removed) when there are some and no flush is running; then call <see cref="EndFlush"/>.</summary>
    public bool TryStartFlush(out List<KeyValuePair<string, CachedStats>> entries)
    {
        entries = [];
        if (_entries.IsEmpty || Interlocked.CompareExchange(ref _flushing, 1, 0) != 0)
        {
            return false;
        }

        foreach (var key in _entries.Keys)
        {
            if (_entries.TryRemove(key, out var entry))
            {
                entries.Add(new(key, entry));
            }
        }

        return true;
    }

    public void EndFlush() => Volatile.Write(ref _flushing, 0);
}
