using StackExchange.Redis;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// Holds the leases of lookups this replica is answering for as long as it does, renewing them every third of
/// <c>Backlog:ClaimLease</c>: a slow call or a hunting query of minutes must not let another replica take the same
/// lookups and spend budget on them again. A replica that dies stops renewing, and its leases end as before.
/// </summary>
internal sealed partial class LeaseRenewal : IAsyncDisposable
{
    private readonly CancellationTokenSource _done = new();
    private readonly Task _renewing;

    private LeaseRenewal(IBacklogStore store, IReadOnlyList<ClaimedLookup> claimed, TimeSpan lease, TimeProvider time, ILogger logger) =>
        _renewing = RenewAsync(store, claimed, lease, time, logger, _done.Token);

    public static LeaseRenewal Start(IBacklogStore store, IReadOnlyList<ClaimedLookup> claimed, TimeSpan lease, TimeProvider time, ILogger logger) =>
        new(store, claimed, lease, time, logger);

    public async ValueTask DisposeAsync()
    {
        await _done.CancelAsync();
        await _renewing;
        _done.Dispose();
    }

    private static async Task RenewAsync(IBacklogStore store, IReadOnlyList<ClaimedLookup> claimed, TimeSpan lease, TimeProvider time, ILogger logger,
        CancellationToken done)
    {
        var every = lease / 3;
        while (true)
        {
            try
            {
                await Task.Delay(every, time, done);
                await store.RenewAsync(claimed, lease);
            }
            catch (OperationCanceledException) when (done.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogRenewFailed(logger, claimed.Count, ex.Message); // the next renewal may still come before the lease ends
            }
        }
    }

    // Debug: RedisHealth reports a Redis outage itself, once.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Renewing the leases of {Count} lookups being answered failed ({Reason})")]
    private static partial void LogRenewFailed(ILogger logger, int count, string reason);
}
