using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Options;
using IpEnrich.Worker.Backlog;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Lookup;

/// <summary>
/// Answers IP lookups with the fewest API calls and without stalling (docs/architecture.md §4): L1, then Redis; a miss
/// becomes a wanted lookup in the backlog, which spends the shared quota on the most valuable first. An alert waits
/// for its answers up to maxWait and goes out with the rest <c>deferred</c> (or <c>stale</c> when an entry past its TTL
/// exists); the backlog answers them later and publishes late updates.
/// </summary>
public sealed class LookupService
{
    private readonly IpCacheStore _cache;
    private readonly BacklogScheduler _backlog;
    private readonly TimeProvider _time;
    private readonly LookupMetrics _metrics;
    private readonly int _defaultLookBackHours;
    private readonly TimeSpan _redisWait;

    public LookupService(IpCacheStore cache, BacklogScheduler backlog, TimeProvider time, IOptions<DefenderOptions> defender, IOptions<RedisOptions> redis)
    {
        ArgumentNullException.ThrowIfNull(defender);
        ArgumentNullException.ThrowIfNull(backlog);
        ArgumentNullException.ThrowIfNull(redis);
        _redisWait = redis.Value.AlertPathTimeout;
        _cache = cache;
        _backlog = backlog;
        _time = time;
        _defaultLookBackHours = defender.Value.LookBackHours;
        _metrics = backlog.LookupMetrics;
    }

    /// <summary>One result per address, in order. Never throws for API, quota or Redis trouble; honours cancellation.</summary>
    /// <remarks>When every address is in L1 (the warm path) the answer is complete on return, with no task allocated.</remarks>
    public async ValueTask<IpLookupResult[]> LookupAsync(IReadOnlyList<IPAddress> ips, AlertPriority priority, TimeSpan maxWait,
        CancellationToken cancellationToken, int? lookBackHours = null)
    {
        ArgumentNullException.ThrowIfNull(ips);
        var results = new IpLookupResult[ips.Count];
        await Lookup([.. ips.Select(IpValue.FromAddress)], ips, candidates: null, results, priority, maxWait, lookBackHours, cancellationToken);
        return results;
    }

    /// <summary>
    /// The same for an alert's candidates, into <paramref name="results"/> (one per candidate, in order): L1 is read by
    /// each address's value, and the <see cref="IPAddress"/> objects are made only when an address misses it (on a warm
    /// worker, the object reads were most of an alert's extraction). The caller's buffer is reused from alert to alert.
    /// </summary>
    public ValueTask LookupAsync(AlertExtraction candidates, Memory<IpLookupResult> results, AlertPriority priority, TimeSpan maxWait,
        CancellationToken cancellationToken, int? lookBackHours = null)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentOutOfRangeException.ThrowIfNotEqual(results.Length, candidates.CandidateCount, nameof(results));
        return Lookup(candidates.CandidateValues, ips: null, candidates, results, priority, maxWait, lookBackHours, cancellationToken);
    }

    /// <param name="ips">The addresses as objects, or null to take them from <paramref name="candidates"/> on a miss.</param>
    private ValueTask Lookup(IReadOnlyList<IpValue> values, IReadOnlyList<IPAddress>? ips, AlertExtraction? candidates, Memory<IpLookupResult> results,
        AlertPriority priority, TimeSpan maxWait, int? lookBackHours, CancellationToken cancellationToken)
    {
        var hours = lookBackHours ?? _defaultLookBackHours;
        var answers = results.Span;
        List<int>? pending = null;
        var now = _time.GetUtcNow();
        for (var i = 0; i < values.Count; i++)
        {
            if (!_cache.TryGetL1(values[i], hours, now, out answers[i]))
            {
                (pending ??= []).Add(i);
            }
        }

        _metrics.Count(LookupSources.L1, values.Count - (pending?.Count ?? 0)); // once per alert, not per IP: this is the hot path
        return pending is null
            ? ValueTask.CompletedTask
            : new ValueTask(LookupMissesAsync(ips ?? candidates!.Candidates, pending, results, hours, priority, maxWait, cancellationToken));
    }

    /// <summary>Redis, then the backlog for each address still missing; fills <paramref name="results"/> at <paramref name="pending"/>.</summary>
    private async Task LookupMissesAsync(IReadOnlyList<IPAddress> ips, List<int> pending, Memory<IpLookupResult> results, int hours,
        AlertPriority priority, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var keys = new CacheKey[pending.Count];
        for (var p = 0; p < pending.Count; p++)
        {
            keys[p] = _cache.Key(ips[pending[p]], hours); // memoized: no new key per lookup
        }

        var fromRedis = await _cache.GetManyAsync(keys, maxWait < _redisWait ? maxWait : _redisWait);
        var now = _time.GetUtcNow();
        var misses = new List<(int Index, CachedStats? Stale)>();
        for (var p = 0; p < pending.Count; p++)
        {
            if (fromRedis[p] is { } entry && entry.IsFreshAt(now))
            {
                results.Span[pending[p]] = entry.ToResult(LookupSource.Cache);
                _metrics.Count(LookupSources.Redis);
            }
            else
            {
                misses.Add((pending[p], fromRedis[p]));
            }
        }

        if (misses.Count == 0)
        {
            return;
        }

        var targets = new LookupTarget[misses.Count];
        for (var m = 0; m < misses.Count; m++)
        {
            targets[m] = new LookupTarget(ips[misses[m].Index], hours);
        }

        var answers = await _backlog.WantAsync(targets, priority);
        await WaitForAnswersAsync(answers, priority, maxWait, cancellationToken); // what is not answered by then is deferred; the backlog keeps it
        cancellationToken.ThrowIfCancellationRequested();
        for (var m = 0; m < misses.Count; m++)
        {
            var (i, stale) = misses[m];
            if (answers[m].IsCompletedSuccessfully && answers[m].Result.Status != IpLookupStatus.Deferred)
            {
                results.Span[i] = answers[m].Result;
            }
            else
            {
                var reason = answers[m].IsCompletedSuccessfully ? answers[m].Result.Detail! : _backlog.ReasonNow(priority);
                results.Span[i] = stale is { } old ? old.ToResult(LookupSource.Stale) : IpLookupResult.Deferred(reason);
                _metrics.Count(stale is null ? LookupSources.Deferred : LookupSources.Stale);
            }
        }
    }

    /// <summary>
    /// Waits for every answer until <paramref name="maxWait"/> has passed, or until the budget or the API is known to
    /// be unavailable for longer than the wait has left: then the alert goes out at once.
    /// </summary>
    private async Task WaitForAnswersAsync(Task<IpLookupResult>[] answers, AlertPriority priority, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        var all = Task.WhenAll(answers);
        var started = _time.GetTimestamp();
        while (!all.IsCompleted)
        {
            var left = maxWait - _time.GetElapsedTime(started);
            if (left <= TimeSpan.Zero || _backlog.BlockedBeyond(priority, left))
            {
                return;
            }

            try
            {
                var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                using (_backlog.NextBlock.UnsafeRegister(static state => ((TaskCompletionSource)state!).TrySetResult(), blocked))
                {
                    await Task.WhenAny(all, blocked.Task).WaitAsync(left, _time, cancellationToken);
                }
            }
            catch (TimeoutException)
            {
                return; // the caller reads what has completed
            }
        }
    }
}
