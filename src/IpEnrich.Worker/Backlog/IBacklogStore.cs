using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// Where wanted lookups wait, ordered by <see cref="BacklogValue"/>: in the process, or in Redis for every replica.
/// A taken lookup is leased, not removed, until its waiting alerts have their late updates; a crash returns it.
/// </summary>
internal interface IBacklogStore
{
    /// <summary>One more alert wants each target: counted, its priority kept if higher; new targets join. Returns those dropped for room.</summary>
    Task<int> WantAsync(IReadOnlyList<LookupTarget> targets, AlertPriority priority);

    /// <summary>
    /// <paramref name="waiter"/> went out without an answer for <paramref name="target"/>: it gets a late update. The
    /// target joins again if it was answered meanwhile (the next taker finds the answer cached). Returns those dropped for room.
    /// </summary>
    Task<int> AddWaiterAsync(LookupTarget target, AlertPriority priority, AlertReference waiter);

    /// <summary>The most valuable lookup nobody holds, leased for <paramref name="lease"/>; null when there is none.</summary>
    Task<ClaimedLookup?> ClaimAsync(TimeSpan lease);

    /// <summary>Those of <paramref name="claimed"/> still leased are held for another <paramref name="lease"/> from now.</summary>
    Task RenewAsync(IReadOnlyList<ClaimedLookup> claimed, TimeSpan lease);

    /// <summary>Not answered (quota, outage): back in the queue at its value.</summary>
    Task ReturnAsync(ClaimedLookup claimed);

    /// <summary>The alerts waiting for the answer, and how many more were counted but not kept.</summary>
    Task<(IReadOnlyList<AlertReference> Kept, long Uncounted)> WaitersAsync(ClaimedLookup claimed);

    /// <summary>
    /// Answered, and the first <paramref name="handled"/> waiters updated: removes the lookup, or returns it to the
    /// queue when more waiters came meanwhile. True when it is gone.
    /// </summary>
    Task<bool> CompleteAsync(ClaimedLookup claimed, int handled);

    Task<BacklogSnapshot> SnapshotAsync();
}

/// <summary>A wanted lookup this replica holds: what to ask, and its value when taken.</summary>
internal sealed record ClaimedLookup(LookupTarget Target, AlertPriority Priority, long Waiting, DateTimeOffset FirstWanted, int Waiters)
{
    /// <summary>Taken from the in-process fallback rather than the shared store.</summary>
    public bool Local { get; init; }
}

/// <summary>The backlog now: wanted lookups by priority (taken ones included), and the oldest one's first-wanted time.</summary>
public sealed record BacklogSnapshot(IReadOnlyList<long> ByPriority, DateTimeOffset? OldestWanted)
{
    public static BacklogSnapshot Empty { get; } = new(new long[(int)AlertPriority.Critical + 1], null);

    public long Total => ByPriority.Sum();
}
