using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using IpEnrich.Worker.Redis;
using StackExchange.Redis;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// The shared store while Redis answers; the in-process one for what cannot reach it. Once Redis answers again, what
/// waited here moves to the shared store before it is asked, so two replicas that both kept an IP ask it once.
/// A replica killed while Redis was away loses only what it kept in the process then.
/// </summary>
internal sealed partial class FallbackBacklogStore(RedisBacklogStore shared, MemoryBacklogStore local, RedisHealth health, TimeSpan alertWait, ILogger logger)
    : IBacklogStore
{
    private readonly TransitionFlag _usingLocal = new(initial: false);

    /// <summary>On an alert's path: a slow Redis is not waited for longer than <c>Redis:AlertPathTimeout</c>.</summary>
    public async Task<int> WantAsync(IReadOnlyList<LookupTarget> targets, AlertPriority priority)
    {
        var wanting = TryShared(() => shared.WantAsync(targets, priority), () => local.WantAsync(targets, priority));
        // Still running after the wait, it may land in the shared store too: the move back merges the two.
        return await health.CompletedWithinAsync(wanting, alertWait) ? await wanting : await local.WantAsync(targets, priority);
    }

    public Task<int> AddWaiterAsync(LookupTarget target, AlertPriority priority, AlertReference waiter) =>
        TryShared(() => shared.AddWaiterAsync(target, priority, waiter), () => local.AddWaiterAsync(target, priority, waiter));

    public async Task<ClaimedLookup?> ClaimAsync(TimeSpan lease)
    {
        if (await local.ClaimAsync(lease) is { } fromLocal && !(health.IsHealthy && await TryMoveToSharedAsync(fromLocal)))
        {
            return fromLocal with { Local = true };
        }

        return await TryShared(() => shared.ClaimAsync(lease), () => Task.FromResult<ClaimedLookup?>(null));
    }

    public async Task RenewAsync(IReadOnlyList<ClaimedLookup> claimed, TimeSpan lease)
    {
        await local.RenewAsync([.. claimed.Where(c => c.Local)], lease);
        if (claimed.Where(c => !c.Local).ToList() is { Count: > 0 } held)
        {
            await Reported(async () => { await shared.RenewAsync(held, lease); return 0; });
        }
    }

    public Task ReturnAsync(ClaimedLookup claimed) =>
        claimed.Local ? local.ReturnAsync(claimed) : TryShared(async () => { await shared.ReturnAsync(claimed); return 0; }, () => Task.FromResult(0));

    // The drain retries a shared lookup whose waiters it cannot read or settle: failures are reported, then thrown.
    public Task<(IReadOnlyList<AlertReference> Kept, long Uncounted)> WaitersAsync(ClaimedLookup claimed) =>
        claimed.Local ? local.WaitersAsync(claimed) : Reported(() => shared.WaitersAsync(claimed));

    public Task<bool> CompleteAsync(ClaimedLookup claimed, int handled) =>
        claimed.Local ? local.CompleteAsync(claimed, handled) : Reported(() => shared.CompleteAsync(claimed, handled));

    public async Task<BacklogSnapshot> SnapshotAsync()
    {
        var fromLocal = await local.SnapshotAsync();
        var fromShared = await TryShared(shared.SnapshotAsync, () => Task.FromResult(BacklogSnapshot.Empty));
        var oldest = new[] { fromLocal.OldestWanted, fromShared.OldestWanted }.Where(o => o is not null).Min();
        return new BacklogSnapshot([.. fromLocal.ByPriority.Zip(fromShared.ByPriority, (a, b) => a + b)], oldest);
    }

    /// <summary>Wants <paramref name="claimed"/> in the shared store with its waiters, and lets the local copy go. False when Redis failed.</summary>
    private async Task<bool> TryMoveToSharedAsync(ClaimedLookup claimed)
    {
        try
        {
            var (waiters, _) = await local.WaitersAsync(claimed);
            await shared.WantAsync([claimed.Target], claimed.Priority);
            foreach (var waiter in waiters)
            {
                await shared.AddWaiterAsync(claimed.Target, claimed.Priority, waiter);
            }

            if (!await local.CompleteAsync(claimed, waiters.Count))
            {
                LogMovedWithLaterWaiters(logger, claimed.Target.Member); // the rest move at its next claim
            }

            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            health.Failed(RedisOperations.Backlog, ex);
            return false;
        }
    }

    private async Task<T> Reported<T>(Func<Task<T>> onShared)
    {
        try
        {
            var result = await onShared();
            health.Succeeded();
            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            health.Failed(RedisOperations.Backlog, ex);
            throw;
        }
    }

    private async Task<T> TryShared<T>(Func<Task<T>> onShared, Func<Task<T>> onLocal)
    {
        try
        {
            var result = await Reported(onShared);
            _usingLocal.Set(false, logger, static (_, _) => { });
            return result;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _usingLocal.Set(true, logger, static (_, log) => LogLocal(log));
            return await onLocal();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Backlog unreachable in Redis: wanted lookups kept in this process until it is back")]
    private static partial void LogLocal(ILogger logger);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Wanted lookup {Member} moved to the shared backlog; waiters that came meanwhile follow")]
    private static partial void LogMovedWithLaterWaiters(ILogger logger, string member);
}
