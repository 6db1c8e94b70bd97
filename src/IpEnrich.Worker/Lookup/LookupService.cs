using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Options;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IpEnrich.Worker.Lookup;

/// <summary>
/// Answers IP lookups with the fewest API calls and without stalling (DESIGN §5): L1 → Redis → in-process and
/// cross-replica single-flight → shared quota → Defender client. What is not answered within maxWait is
/// <c>deferred</c> while the call goes on in the background and fills the cache for the next alert; when the API
/// cannot be asked, an entry past its TTL is served as <c>stale</c>.
/// </summary>
public sealed partial class LookupService : IAsyncDisposable
{
    private static readonly TimeSpan LockTtl = TimeSpan.FromSeconds(45);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);
    private static readonly IpLookupResult TimedOut = IpLookupResult.Deferred(DeferralReason.Timeout);

    private readonly IpCacheStore _cache;
    private readonly IQuotaGate _quota;
    private readonly IDefenderClient _client;
    private readonly RedisConnection _redis;
    private readonly TimeProvider _time;
    private readonly IpEnrichTelemetry _telemetry;
    private readonly ILogger<LookupService> _logger;
    private readonly int _defaultLookBackHours;
    private readonly ConcurrentDictionary<string, Lazy<Task<IpLookupResult>>> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    public LookupService(IpCacheStore cache, IQuotaGate quota, IDefenderClient client, RedisConnection redis, TimeProvider time,
        IpEnrichTelemetry telemetry, IOptions<DefenderOptions> defender, ILogger<LookupService> logger)
    {
        ArgumentNullException.ThrowIfNull(defender);
        ArgumentNullException.ThrowIfNull(telemetry);
        _cache = cache;
        _quota = quota;
        _client = client;
        _redis = redis;
        _time = time;
        _telemetry = telemetry;
        _logger = logger;
        _defaultLookBackHours = defender.Value.LookBackHours;
        telemetry.Meter.CreateObservableGauge("ipenrich.quota.remaining", ObserveQuota, "{call}", "API calls left in the shared budget, by window");
        telemetry.Meter.CreateObservableGauge("ipenrich.redis.up", () => !redis.IsConfigured || (redis.IsConnected && cache.RedisHealthy) ? 1 : 0,
            null, "1 when Redis is reachable (or not configured), 0 while running on the in-process fallback");
    }

    /// <summary>One result per address, in order. Never throws for API, quota or Redis trouble; honours cancellation.</summary>
    /// <remarks>When every address is in L1 (the warm path) the answer is complete on return, with no task allocated.</remarks>
    public ValueTask<IpLookupResult[]> LookupAsync(IReadOnlyList<IPAddress> ips, AlertPriority priority, TimeSpan maxWait,
        CancellationToken cancellationToken, int? lookBackHours = null)
    {
        ArgumentNullException.ThrowIfNull(ips);
        var hours = lookBackHours ?? _defaultLookBackHours;
        var results = new IpLookupResult[ips.Count];
        List<int>? pending = null;
        for (var i = 0; i < ips.Count; i++)
        {
            if (_cache.GetL1(_cache.Key(ips[i], hours)) is { } hit)
            {
                results[i] = hit.ToResult(LookupSource.Cache);
            }
            else
            {
                (pending ??= []).Add(i);
            }
        }

        Count("l1", ips.Count - (pending?.Count ?? 0)); // once per alert, not per IP: this is the hot path
        return pending is null
            ? ValueTask.FromResult(results)
            : new ValueTask<IpLookupResult[]>(LookupMissesAsync(ips, pending, results, hours, priority, maxWait, cancellationToken));
    }

    /// <summary>Redis, then one (joined) fetch per address still missing; fills <paramref name="results"/> at <paramref name="pending"/>.</summary>
    private async Task<IpLookupResult[]> LookupMissesAsync(IReadOnlyList<IPAddress> ips, List<int> pending, IpLookupResult[] results, int hours,
        AlertPriority priority, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var keys = new string[pending.Count];
        for (var p = 0; p < pending.Count; p++)
        {
            keys[p] = _cache.Key(ips[pending[p]], hours); // memoized: no new string
        }

        var fromRedis = await _cache.GetManyAsync(keys);
        var now = _time.GetUtcNow();
        var misses = new List<(int Index, string Key, CachedStats? Stale)>();
        for (var p = 0; p < pending.Count; p++)
        {
            if (fromRedis[p] is { } entry && entry.IsFreshAt(now))
            {
                results[pending[p]] = entry.ToResult(LookupSource.Cache);
                Count("redis");
            }
            else
            {
                misses.Add((pending[p], keys[p], fromRedis[p]));
            }
        }

        if (misses.Count == 0)
        {
            return results;
        }

        // Start (or join) one fetch per key; the fetch outlives this alert's wait and fills the cache.
        var fetches = new Task<IpLookupResult>[misses.Count];
        for (var m = 0; m < misses.Count; m++)
        {
            var (i, key, stale) = misses[m];
            fetches[m] = Fetch(key, ips[i], hours, priority, stale);
        }

        await WaitAtMostAsync(fetches, maxWait, cancellationToken); // what is not done by then is deferred; the fetches go on
        cancellationToken.ThrowIfCancellationRequested();
        for (var m = 0; m < misses.Count; m++)
        {
            var (i, _, stale) = misses[m];
            var fetch = fetches[m];
            if (fetch.IsCompletedSuccessfully)
            {
                results[i] = fetch.Result;
            }
            else
            {
                results[i] = stale is { } old ? old.ToResult(LookupSource.Stale) : TimedOut;
                Count(stale is null ? "deferred" : "stale");
            }
        }

        return results;
    }

    /// <summary>
    /// For IPs published as <c>deferred</c> because their fetch outlived maxWait: waits (up to <paramref name="limit"/>)
    /// for those background fetches and returns what is known then — from the fetch, or from the cache it filled.
    /// </summary>
    public async Task<IpLookupResult[]> AwaitPendingAsync(IReadOnlyList<IPAddress> ips, TimeSpan limit, CancellationToken cancellationToken,
        int? lookBackHours = null)
    {
        ArgumentNullException.ThrowIfNull(ips);
        var hours = lookBackHours ?? _defaultLookBackHours;
        var fetches = new Task<IpLookupResult>[ips.Count];
        for (var i = 0; i < ips.Count; i++)
        {
            var key = _cache.Key(ips[i], hours);
            fetches[i] = _inFlight.TryGetValue(key, out var running) ? running.Value
                : Task.FromResult(_cache.GetL1(key)?.ToResult(LookupSource.Cache) ?? TimedOut);
        }

        await WaitAtMostAsync(fetches, limit, cancellationToken); // still running then: reported as deferred
        var results = new IpLookupResult[ips.Count];
        for (var i = 0; i < ips.Count; i++)
        {
            results[i] = fetches[i].IsCompletedSuccessfully ? fetches[i].Result : TimedOut;
        }

        return results;
    }

    /// <summary>Waits for every fetch, or until <paramref name="limit"/> has passed, whichever comes first.</summary>
    private async Task WaitAtMostAsync(Task<IpLookupResult>[] fetches, TimeSpan limit, CancellationToken cancellationToken)
    {
        try
        {
            await Task.WhenAll(fetches).WaitAsync(limit, _time, cancellationToken);
        }
        catch (TimeoutException)
        {
            // The caller reads what has completed.
        }
    }

    /// <summary>In-process single flight: the first caller for a key starts the fetch, the others join it.</summary>
    private Task<IpLookupResult> Fetch(string key, IPAddress ip, int hours, AlertPriority priority, CachedStats? stale)
    {
        var created = new Lazy<Task<IpLookupResult>>(() => FetchOnceAsync(key, ip, hours, priority, stale));
        var lazy = _inFlight.GetOrAdd(key, created);
        if (!ReferenceEquals(lazy, created))
        {
            return lazy.Value;
        }

        var task = lazy.Value;
        _ = task.ContinueWith(_ => _inFlight.TryRemove(KeyValuePair.Create(key, lazy)), CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }

    private async Task<IpLookupResult> FetchOnceAsync(string key, IPAddress ip, int hours, AlertPriority priority, CachedStats? stale)
    {
        await Task.Yield(); // never run the fetch on the caller's stack
        var stopping = _stopping.Token;
        try
        {
            var lockToken = Guid.NewGuid().ToString("N");
            var (acquired, winner) = await TryLockOrWaitForWinnerAsync(key, lockToken, stopping);
            if (winner is not null)
            {
                Count("coalesced");
                return winner.ToResult(LookupSource.Cache);
            }

            try
            {
                var decision = await _quota.TryAcquireAsync(priority, stopping);
                if (!decision.Allowed)
                {
                    return Unanswered(stale, DeferralReason.Quota);
                }

                var result = await _client.GetIpStatsAsync(ip, hours, stopping);
                switch (result)
                {
                    case IpStatsResult.Throttled throttled:
                        await _quota.PauseAsync(throttled.RetryAfter, stopping);
                        return Unanswered(stale, DeferralReason.Quota);
                    case IpStatsResult.Failed { Transient: true }:
                        return Unanswered(stale, DeferralReason.Outage);
                }

                // Millisecond precision: the same instant whether read back from L1, Redis or this answer.
                var answer = result.ToLookupResult(DateTimeOffset.FromUnixTimeMilliseconds(_time.GetUtcNow().ToUnixTimeMilliseconds()));
                if (answer.IsFinal)
                {
                    await _cache.PutAsync(key, answer);
                }

                Count("api");
                return answer;
            }
            finally
            {
                if (acquired)
                {
                    await ReleaseLockAsync(key, lockToken);
                }
            }
        }
        catch (OperationCanceledException) when (stopping.IsCancellationRequested)
        {
            return Unanswered(stale, DeferralReason.Shutdown);
        }
    }

    private IpLookupResult Unanswered(CachedStats? stale, string reason)
    {
        if (stale is not null)
        {
            Count("stale");
            return stale.ToResult(LookupSource.Stale);
        }

        Count("deferred");
        return IpLookupResult.Deferred(reason);
    }

    /// <summary>
    /// Cross-replica single flight: <c>SET lock NX PX</c>. A loser polls the cache until the winner's answer lands or
    /// the lock goes away (the winner gave up), then tries to take the lock itself.
    /// </summary>
    private async Task<(bool Acquired, CachedStats? Winner)> TryLockOrWaitForWinnerAsync(string key, string token, CancellationToken cancellationToken)
    {
        var database = _redis.Database;
        if (database is null)
        {
            return (false, null);
        }

        var lockKey = key + ":lock";
        var deadline = _time.GetUtcNow() + LockTtl;
        try
        {
            while (_time.GetUtcNow() < deadline)
            {
                if (await database.StringSetAsync(lockKey, token, LockTtl, When.NotExists))
                {
                    // Another replica may have finished just before we took the lock.
                    return (await _cache.GetAsync(key) is { } done && done.IsFreshAt(_time.GetUtcNow())) ? (true, done) : (true, null);
                }

                while (_time.GetUtcNow() < deadline && await database.KeyExistsAsync(lockKey))
                {
                    await Task.Delay(PollInterval, _time, cancellationToken);
                    if (await _cache.GetAsync(key) is { } answer && answer.IsFreshAt(_time.GetUtcNow()))
                    {
                        return (false, answer);
                    }
                }
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogLockUnavailable(_logger, ex);
        }

        return (false, null); // no coordination possible: the in-process single flight still holds
    }

    private async Task ReleaseLockAsync(string key, string token)
    {
        const string release = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
        try
        {
            await _redis.Database!.ScriptEvaluateAsync(release, [key + ":lock"], [token]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogLockUnavailable(_logger, ex); // the lock expires by itself
        }
    }

    private void Count(string source, int lookups = 1)
    {
        if (lookups > 0)
        {
            _telemetry.Lookups.Add(lookups, new KeyValuePair<string, object?>("source", source));
        }
    }

    private IEnumerable<Measurement<int>> ObserveQuota()
    {
        var (minute, hour) = _quota.Remaining;
        yield return new Measurement<int>(minute, new KeyValuePair<string, object?>("window", "minute"));
        yield return new Measurement<int>(hour, new KeyValuePair<string, object?>("window", "hour"));
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Cross-replica lock unavailable; relying on the in-process single flight")]
    private static partial void LogLockUnavailable(ILogger logger, Exception error);
}
