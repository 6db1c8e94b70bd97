using IpEnrich.Worker.Redis;
using StackExchange.Redis;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// The shared store while Redis answers; the in-process one for what cannot reach it, drained first once it can.
/// A replica killed while Redis was away loses only what it kept in the process then.
/// </summary>
internal sealed partial class FallbackBacklogStore(RedisBacklogStore shared, MemoryBacklogStore local, ILogger logger) : IBacklogStore
{
    private readonly TransitionFlag _usingLocal = new(initial: false);

    public Task<int> WantAsync(IReadOnlyList<LookupTarget> targets, Core.Enrichment.AlertPriority priority) =>
        TryShared(() => shared.WantAsync(targets, priority), () => local.WantAsync(targets, priority));

    public Task<int> AddWaiterAsync(LookupTarget target, Core.Enrichment.AlertPriority priority, AlertReference waiter) =>
        TryShared(() => shared.AddWaiterAsync(target, priority, waiter), () => local.AddWaiterAsync(target, priority, waiter));

    public async Task<ClaimedLookup?> ClaimAsync(TimeSpan lease)
    {
        if (await local.ClaimAsync(lease) is { } fromLocal)
        {
            return fromLocal with { Local = true };
        }

        return await TryShared(() => shared.ClaimAsync(lease), () => Task.FromResult<ClaimedLookup?>(null));
    }

    public Task ReturnAsync(ClaimedLookup claimed) =>
        claimed.Local ? local.ReturnAsync(claimed) : TryShared(async () => { await shared.ReturnAsync(claimed); return 0; }, () => Task.FromResult(0));

    public Task<(IReadOnlyList<AlertReference> Kept, long Uncounted)> WaitersAsync(ClaimedLookup claimed) =>
        claimed.Local ? local.WaitersAsync(claimed) : shared.WaitersAsync(claimed); // the drain retries a lookup whose waiters it cannot read

    public Task<bool> CompleteAsync(ClaimedLookup claimed, int handled) =>
        claimed.Local ? local.CompleteAsync(claimed, handled) : shared.CompleteAsync(claimed, handled);

    public async Task<BacklogSnapshot> SnapshotAsync()
    {
        var fromLocal = await local.SnapshotAsync();
        var fromShared = await TryShared(shared.SnapshotAsync, () => Task.FromResult(BacklogSnapshot.Empty));
        var oldest = new[] { fromLocal.OldestWanted, fromShared.OldestWanted }.Where(o => o is not null).Min();
        return new BacklogSnapshot([.. fromLocal.ByPriority.Zip(fromShared.ByPriority, (a, b) => a + b)], oldest);
    }

    private async Task<T> TryShared<T>(Func<Task<T>> onShared, Func<Task<T>> onLocal)
    {
        try
        {
            var result = await onShared();
            _usingLocal.Set(false, logger, static (_, _) => { });
            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _usingLocal.Set(true, logger, static (_, log) => LogLocal(log));
            return await onLocal();
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Backlog unreachable in Redis: wanted lookups kept in this process until it is back")]
    private static partial void LogLocal(ILogger logger);
}
