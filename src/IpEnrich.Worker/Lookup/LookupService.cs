using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Options;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Lookup;

/// <summary>
/// Answers IP lookups with the fewest API calls and without stalling (DESIGN §5): L1 → Redis → in-process and
/// cross-replica single-flight → shared quota → Defender client. What is not answered within maxWait is
/// <c>deferred</c> while the call goes on in the background and fills the cache for the next alert; when the API
/// cannot be asked, an entry past its TTL is served as <c>stale</c>.
/// </summary>
public sealed class LookupService : IAsyncDisposable
{
    private static readonly IpLookupResult TimedOut = IpLookupResult.Deferred(DeferralReason.Timeout);

    private readonly IpCacheStore _cache;
    private readonly TimeProvider _time;
    private readonly LookupMetrics _metrics;
    private readonly SingleFlightFetcher _fetcher;
    private readonly int _defaultLookBackHours;

    public LookupService(IpCacheStore cache, IQuotaGate quota, IDefenderClient client, RedisConnection redis, TimeProvider time,
        IpEnrichTelemetry telemetry, IOptions<DefenderOptions> defender, ILogger<LookupService> logger)
    {
        ArgumentNullException.ThrowIfNull(defender);
        ArgumentNullException.ThrowIfNull(telemetry);
        _cache = cache;
        _time = time;
        _defaultLookBackHours = defender.Value.LookBackHours;
        _metrics = new LookupMetrics(telemetry, quota, redis, cache);
        _fetcher = new SingleFlightFetcher(cache, quota, client, new CrossReplicaLock(redis, cache, time, logger), time, _metrics);
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

        _metrics.Count("l1", ips.Count - (pending?.Count ?? 0)); // once per alert, not per IP: this is the hot path
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
                _metrics.Count("redis");
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
            fetches[m] = _fetcher.Fetch(key, ips[i], hours, priority, stale);
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
                _metrics.Count(stale is null ? "deferred" : "stale");
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
            fetches[i] = _fetcher.TryGetRunning(key, out var running) ? running
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

    public ValueTask DisposeAsync() => _fetcher.DisposeAsync();
}
