using System.Globalization;
using IpEnrich.Core.Enrichment;
using StackExchange.Redis;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// The backlog every replica shares, in Redis under the hash tag <c>{backlog:profile}</c>: it survives restarts, and a
/// lookup a killed replica held returns when its lease ends. Each operation is one atomic script (RedisBacklogScripts).
/// Throws <see cref="RedisException"/> or <see cref="TimeoutException"/> when Redis cannot answer.
/// </summary>
internal sealed class RedisBacklogStore(Func<IDatabase?> database, string profile, BacklogOptions options) : IBacklogStore
{
    private readonly string _prefix = $"ipenrich:v1:{{backlog:{profile}}}:";

    private RedisKey[] Keys => [_prefix + "queue", _prefix + "age", _prefix + "leases"];

    public async Task<int> WantAsync(IReadOnlyList<LookupTarget> targets, AlertPriority priority)
    {
        if (targets.Count == 0)
        {
            return 0;
        }

        RedisValue[] args = [.. Arguments(priority, count: true, waiter: null), .. targets.Select(t => (RedisValue)t.Member)];
        return (int)await Database.ScriptEvaluateAsync(RedisBacklogScripts.Want, Keys, args);
    }

    public async Task<int> AddWaiterAsync(LookupTarget target, AlertPriority priority, AlertReference waiter)
    {
        RedisValue[] args = [.. Arguments(priority, count: false, waiter), target.Member];
        return (int)await Database.ScriptEvaluateAsync(RedisBacklogScripts.Want, Keys, args);
    }

    public async Task<ClaimedLookup?> ClaimAsync(TimeSpan lease)
    {
        var result = await Database.ScriptEvaluateAsync(RedisBacklogScripts.Claim, Keys, [_prefix, (long)lease.TotalMilliseconds]);
        if (result.IsNull || result.Resp2Type != ResultType.Array)
        {
            return null;
        }

        var fields = (RedisResult[])result!;
        if (!LookupTarget.TryParse((string)fields[0]!, out var target))
        {
            return null; // not written by this version: left leased, it expires and is read again by a version that knows it
        }

        return new ClaimedLookup(target, (AlertPriority)Math.Clamp((int)fields[1], 0, (int)AlertPriority.Critical), (long)fields[2],
            DateTimeOffset.FromUnixTimeMilliseconds((long)fields[3]), (int)fields[4]);
    }

    public Task RenewAsync(IReadOnlyList<ClaimedLookup> claimed, TimeSpan lease) =>
        Database.ScriptEvaluateAsync(RedisBacklogScripts.Renew, Keys, [_prefix, (long)lease.TotalMilliseconds, .. claimed.Select(c => (RedisValue)c.Target.Member)]);

    public Task ReturnAsync(ClaimedLookup claimed) =>
        Database.ScriptEvaluateAsync(RedisBacklogScripts.Return, Keys, [_prefix, claimed.Target.Member]);

    public async Task<(IReadOnlyList<AlertReference> Kept, long Uncounted)> WaitersAsync(ClaimedLookup claimed)
    {
        var fields = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisBacklogScripts.Waiters, Keys, [_prefix, claimed.Target.Member]))!;
        var kept = new List<AlertReference>();
        foreach (var text in (RedisValue[])fields[0]!)
        {
            if (AlertReference.Decode(text) is { } reference)
            {
                kept.Add(reference);
            }
        }

        return (kept, long.Parse((string)fields[1]!, CultureInfo.InvariantCulture));
    }

    public async Task<bool> CompleteAsync(ClaimedLookup claimed, int handled) =>
        (int)await Database.ScriptEvaluateAsync(RedisBacklogScripts.Complete, Keys, [_prefix, claimed.Target.Member, handled]) == 1;

    public async Task<BacklogSnapshot> SnapshotAsync()
    {
        var fields = (RedisResult[])(await Database.ScriptEvaluateAsync(RedisBacklogScripts.Snapshot, Keys, [_prefix]))!;
        var byPriority = new long[(int)AlertPriority.Critical + 1];
        for (var p = 0; p < byPriority.Length; p++)
        {
            byPriority[p] = (long)fields[p];
        }

        var oldest = long.Parse((string)fields[4]!, CultureInfo.InvariantCulture);
        return new BacklogSnapshot(byPriority, oldest < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(oldest));
    }

    private IDatabase Database => database() ?? throw new RedisConnectionException(ConnectionFailureType.UnableToConnect, CommandFlags.None, "Redis is not connected yet", null, CommandStatus.WaitingToBeSent);

    private RedisValue[] Arguments(AlertPriority priority, bool count, AlertReference? waiter) =>
    [
        _prefix, (int)priority, count ? 1 : 0, options.MaxIps, (long)options.MaxAge.TotalMilliseconds, options.MaxAlertsPerIp,
        waiter?.Encode() ?? string.Empty,
    ];
}
