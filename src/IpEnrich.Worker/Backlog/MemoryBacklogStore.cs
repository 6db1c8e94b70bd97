using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Backlog;

/// <summary>The backlog of a replica without Redis (or while Redis is unreachable): the same rules as the shared one, in a lock.</summary>
internal sealed class MemoryBacklogStore(BacklogOptions options, TimeProvider time) : IBacklogStore
{
    // Ties broken as a Redis sorted set breaks them (greater member first), so both stores drain in one order.
    private static readonly Comparer<(double Value, string Member)> MostValuableFirst =
        Comparer<(double Value, string Member)>.Create(static (a, b) => b.Value != a.Value ? b.Value.CompareTo(a.Value) : string.CompareOrdinal(b.Member, a.Member));

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SortedSet<(double Value, string Member)> _queue = new(MostValuableFirst);
    private readonly SortedSet<(long At, string Member)> _byAge = [];
    private readonly SortedSet<(long At, string Member)> _leases = [];

    public Task<int> WantAsync(IReadOnlyList<LookupTarget> targets, AlertPriority priority)
    {
        var dropped = 0;
        lock (_gate)
        {
            foreach (var target in targets)
            {
                dropped += Want(target, priority, count: true, waiter: null);
            }
        }

        return Task.FromResult(dropped);
    }

    public Task<int> AddWaiterAsync(LookupTarget target, AlertPriority priority, AlertReference waiter)
    {
        lock (_gate)
        {
            return Task.FromResult(Want(target, priority, count: false, waiter));
        }
    }

    public Task<ClaimedLookup?> ClaimAsync(TimeSpan lease)
    {
        var now = Now;
        lock (_gate)
        {
            while (_leases.Count > 0 && _leases.Min.At <= now)
            {
                var expired = _leases.Min;
                _leases.Remove(expired);
                Enqueue(_entries[expired.Member]);
            }

            if (_queue.Count == 0)
            {
                return Task.FromResult<ClaimedLookup?>(null);
            }

            var top = _queue.Min;
            _queue.Remove(top);
            var entry = _entries[top.Member];
            entry.Queued = null;
            entry.LeasedUntil = now + (long)lease.TotalMilliseconds;
            _leases.Add((entry.LeasedUntil.Value, top.Member));
            return Task.FromResult<ClaimedLookup?>(new ClaimedLookup(entry.Target, entry.Priority, entry.Waiting,
                DateTimeOffset.FromUnixTimeMilliseconds(entry.FirstWantedMs), entry.Waiters.Count));
        }
    }

    public Task RenewAsync(IReadOnlyList<ClaimedLookup> claimed, TimeSpan lease)
    {
        var until = Now + (long)lease.TotalMilliseconds;
        lock (_gate)
        {
            foreach (var lookup in claimed)
            {
                if (_entries.TryGetValue(lookup.Target.Member, out var entry) && entry.LeasedUntil is { } held)
                {
                    _leases.Remove((held, lookup.Target.Member));
                    entry.LeasedUntil = until;
                    _leases.Add((until, lookup.Target.Member));
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task ReturnAsync(ClaimedLookup claimed)
    {
        lock (_gate)
        {
            if (_entries.TryGetValue(claimed.Target.Member, out var entry))
            {
                Release(entry);
                Enqueue(entry);
            }
        }

        return Task.CompletedTask;
    }

    public Task<(IReadOnlyList<AlertReference> Kept, long Uncounted)> WaitersAsync(ClaimedLookup claimed)
    {
        lock (_gate)
        {
            return Task.FromResult<(IReadOnlyList<AlertReference>, long)>(_entries.TryGetValue(claimed.Target.Member, out var entry)
                ? ([.. entry.Waiters], entry.Uncounted)
                : ([], 0));
        }
    }

    public Task<bool> CompleteAsync(ClaimedLookup claimed, int handled)
    {
        lock (_gate)
        {
            if (!_entries.TryGetValue(claimed.Target.Member, out var entry))
            {
                return Task.FromResult(true);
            }

            entry.Waiters.RemoveRange(0, Math.Min(handled, entry.Waiters.Count));
            Release(entry);
            if (entry.Waiters.Count > 0)
            {
                Enqueue(entry); // waiters came while it was answered: the next taker finds the answer cached
                return Task.FromResult(false);
            }

            Remove(entry);
            return Task.FromResult(true);
        }
    }

    public Task<BacklogSnapshot> SnapshotAsync()
    {
        lock (_gate)
        {
            var byPriority = new long[(int)AlertPriority.Critical + 1];
            foreach (var entry in _entries.Values)
            {
                byPriority[(int)entry.Priority]++;
            }

            DateTimeOffset? oldest = _byAge.Count == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(_byAge.Min.At);
            return Task.FromResult(new BacklogSnapshot(byPriority, oldest));
        }
    }

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private int Want(LookupTarget target, AlertPriority priority, bool count, AlertReference? waiter)
    {
        var member = target.Member;
        var dropped = 0;
        if (!_entries.TryGetValue(member, out var entry))
        {
            dropped = MakeRoom();
            entry = new Entry(target, priority, Now);
            _entries[member] = entry;
            _byAge.Add((entry.FirstWantedMs, member));
        }
        else if (count || priority > entry.Priority)
        {
            entry.Waiting += count ? 1 : 0;
            entry.Priority = priority > entry.Priority ? priority : entry.Priority;
        }

        if (waiter is not null)
        {
            if (entry.Waiters.Count < options.MaxAlertsPerIp)
            {
                entry.Waiters.Add(waiter);
            }
            else
            {
                entry.Uncounted++;
            }
        }

        if (entry.LeasedUntil is null)
        {
            Enqueue(entry);
        }

        return dropped;
    }

    /// <summary>Before a new entry: the too old go, then the least valuable while the backlog is full.</summary>
    private int MakeRoom()
    {
        var dropped = 0;
        var tooOld = Now - (long)options.MaxAge.TotalMilliseconds;
        while (_byAge.Count > 0 && _byAge.Min.At < tooOld)
        {
            Remove(_entries[_byAge.Min.Member]);
            dropped++;
        }

        while (_entries.Count >= options.MaxIps && _queue.Count > 0)
        {
            Remove(_entries[_queue.Max.Member]);
            dropped++;
        }

        return dropped;
    }

    private void Enqueue(Entry entry)
    {
        if (entry.Queued is { } old)
        {
            _queue.Remove((old, entry.Target.Member));
        }

        entry.Queued = BacklogValue.Of(entry.Priority, entry.Waiting, entry.FirstWantedMs);
        _queue.Add((entry.Queued.Value, entry.Target.Member));
    }

    private void Release(Entry entry)
    {
        if (entry.LeasedUntil is { } until)
        {
            _leases.Remove((until, entry.Target.Member));
            entry.LeasedUntil = null;
        }
    }

    private void Remove(Entry entry)
    {
        var member = entry.Target.Member;
        if (entry.Queued is { } value)
        {
            _queue.Remove((value, member));
        }

        Release(entry);
        _byAge.Remove((entry.FirstWantedMs, member));
        _entries.Remove(member);
    }

    private sealed class Entry(LookupTarget target, AlertPriority priority, long firstWantedMs)
    {
        public LookupTarget Target { get; } = target;

        public AlertPriority Priority { get; set; } = priority;

        public long Waiting { get; set; } = 1;

        public long FirstWantedMs { get; } = firstWantedMs;

        public List<AlertReference> Waiters { get; } = [];

        public long Uncounted { get; set; }

        public double? Queued { get; set; }

        public long? LeasedUntil { get; set; }
    }
}
