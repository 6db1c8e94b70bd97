using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Defender.Client;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Quota;

namespace IpEnrich.Worker.Lookup;

/// <summary>
/// One API fetch per cache key however many alerts ask at once: in-process single flight, then the cross-replica
/// lock, the shared quota and the Defender client; a final answer is cached. A fetch outlives the alert that started
/// it and is cancelled only when the service stops.
/// </summary>
internal sealed class SingleFlightFetcher(IpCacheStore cache, IQuotaGate quota, IDefenderClient client, CrossReplicaLock crossReplica,
    TimeProvider time, LookupMetrics metrics) : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<IpLookupResult>>> _inFlight = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();

    /// <summary>The first caller for a key starts the fetch, the others join it.</summary>
    public Task<IpLookupResult> Fetch(string key, IPAddress ip, int hours, AlertPriority priority, CachedStats? stale)
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

    /// <summary>The fetch running for <paramref name="key"/>, if there is one.</summary>
    public bool TryGetRunning(string key, [NotNullWhen(true)] out Task<IpLookupResult>? fetch)
    {
        fetch = _inFlight.TryGetValue(key, out var running) ? running.Value : null;
        return fetch is not null;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        _stopping.Dispose();
    }

    private async Task<IpLookupResult> FetchOnceAsync(string key, IPAddress ip, int hours, AlertPriority priority, CachedStats? stale)
    {
        await Task.Yield(); // never run the fetch on the caller's stack
        var stopping = _stopping.Token;
        try
        {
            var lockToken = Guid.NewGuid().ToString("N");
            var (acquired, winner) = await crossReplica.TakeOrWaitForWinnerAsync(key, lockToken, stopping);
            if (winner is not null)
            {
                metrics.Count("coalesced");
                return winner.ToResult(LookupSource.Cache);
            }

            try
            {
                var decision = await quota.TryAcquireAsync(priority, stopping);
                if (!decision.Allowed)
                {
                    return Unanswered(stale, DeferralReason.Quota);
                }

                var result = await client.GetIpStatsAsync(ip, hours, stopping);
                switch (result)
                {
                    case IpStatsResult.Throttled throttled:
                        await quota.PauseAsync(throttled.RetryAfter, stopping);
                        return Unanswered(stale, DeferralReason.Quota);
                    case IpStatsResult.Failed { Transient: true }:
                        return Unanswered(stale, DeferralReason.Outage);
                }

                // Millisecond precision: the same instant whether read back from L1, Redis or this answer.
                var answer = result.ToLookupResult(DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()));
                if (answer.IsFinal)
                {
                    await cache.PutAsync(key, answer);
                }

                metrics.Count("api");
                return answer;
            }
            finally
            {
                if (acquired)
                {
                    await crossReplica.ReleaseAsync(key, lockToken);
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
            metrics.Count("stale");
            return stale.ToResult(LookupSource.Stale);
        }

        metrics.Count("deferred");
        return IpLookupResult.Deferred(reason);
    }
}
