using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Redis;
using StackExchange.Redis;

namespace IpEnrich.Worker.Lookup;

/// <summary>
/// Cross-replica single flight: <c>SET lock NX PX</c>. A loser polls the cache until the winner's answer lands or
/// the lock goes away (the winner gave up), then tries to take the lock itself.
/// </summary>
internal sealed partial class CrossReplicaLock(RedisConnection redis, IpCacheStore cache, TimeProvider time, ILogger logger)
{
    private static readonly TimeSpan LockTtl = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Takes the lock on <paramref name="key"/> (Acquired), or returns the answer another replica fetched meanwhile
    /// (Winner); neither when Redis cannot coordinate, and the in-process single flight alone holds.
    /// </summary>
    public async Task<(bool Acquired, CachedStats? Winner)> TakeOrWaitForWinnerAsync(string key, string token, CancellationToken cancellationToken)
    {
        var database = redis.Database;
        if (database is null)
        {
            return (false, null);
        }

        var lockKey = key + ":lock";
        var deadline = time.GetUtcNow() + LockTtl;
        try
        {
            while (time.GetUtcNow() < deadline)
            {
                if (await database.StringSetAsync(lockKey, token, LockTtl, When.NotExists))
                {
                    // Another replica may have finished just before we took the lock.
                    return (await cache.GetAsync(key) is { } done && done.IsFreshAt(time.GetUtcNow())) ? (true, done) : (true, null);
                }

                while (time.GetUtcNow() < deadline && await database.KeyExistsAsync(lockKey))
                {
                    await Task.Delay(PollInterval, time, cancellationToken);
                    if (await cache.GetAsync(key) is { } answer && answer.IsFreshAt(time.GetUtcNow()))
                    {
                        return (false, answer);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogLockUnavailable(logger, ex);
        }

        return (false, null); // no coordination possible: the in-process single flight still holds
    }

    /// <summary>Releases the lock if <paramref name="token"/> still holds it (it may have expired and been taken since).</summary>
    public async Task ReleaseAsync(string key, string token)
    {
        const string release = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
        try
        {
            await redis.Database!.ScriptEvaluateAsync(release, [key + ":lock"], [token]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogLockUnavailable(logger, ex); // the lock expires by itself
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cross-replica lock unavailable; relying on the in-process single flight")]
    private static partial void LogLockUnavailable(ILogger logger, Exception error);
}
