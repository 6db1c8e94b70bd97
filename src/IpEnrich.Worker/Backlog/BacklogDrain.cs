using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Auth;
using IpEnrich.Defender.Client;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Quota;
using StackExchange.Redis;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// Spends the API budget on the backlog: <see cref="BacklogOptions.Concurrency"/> loops each take the most valuable
/// wanted lookup, wait for a quota slot at its priority, ask the API (unless the cache already has the answer: another
/// replica, or this one before a crash), fill the cache, wake the waiting alerts and publish their late updates.
/// What cannot be asked now goes back at its value; a loop then naps until a slot could free.
/// </summary>
internal sealed partial class BacklogDrain(IBacklogStore store, IQuotaGate quota, IDefenderClient client, IAccessTokenSource tokens, IpCacheStore cache,
    AnswerWaiters answers, AnswerDelivery delivery, BacklogPacing pacing, BacklogOptions options, TimeProvider time, LookupMetrics metrics, ILogger logger)
    : IDisposable
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan ErrorNap = TimeSpan.FromSeconds(1);

    private readonly SemaphoreSlim _work = new(0, int.MaxValue);
    private readonly QuotaPauseLog _pauses = new(time, logger);
    private int _inFlight;

    /// <summary>Lookups taken and not yet settled.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>A lookup joined: an idle loop takes it now rather than at its next poll.</summary>
    public void Wake()
    {
        if (_work.CurrentCount < options.Concurrency)
        {
            _work.Release();
        }
    }

    /// <param name="claiming">Cancelled when this replica takes no more lookups; those it holds are still settled.</param>
    /// <param name="stopping">Cancelled when even those are abandoned (their leases return them to the backlog).</param>
    public Task RunAsync(CancellationToken claiming, CancellationToken stopping) =>
        Task.WhenAll(Enumerable.Range(0, options.Concurrency).Select(_ => Task.Run(() => LoopAsync(claiming, stopping), CancellationToken.None)));

    private Task LoopAsync(CancellationToken claiming, CancellationToken stopping) =>
        DrainLoop.RunAsync(() => RoundAsync(claiming, stopping), time, logger, claiming);

    /// <summary>One lookup taken and answered (or given back); returns how long to nap.</summary>
    private async Task<TimeSpan> RoundAsync(CancellationToken claiming, CancellationToken stopping)
    {
        if (pacing.OutageLeft is { } outage)
        {
            await Task.Delay(outage, time, claiming);
        }

        await answers.EnsureSubscribedAsync();
        if (!await DrainLoop.HasTokenAsync(tokens, logger, claiming))
        {
            return ErrorNap;
        }

        if (await store.ClaimAsync(options.ClaimLease) is not { } claimed)
        {
            await _work.WaitAsync(IdlePoll, claiming); // other replicas' wants are seen at the next poll
            return TimeSpan.Zero;
        }

        Interlocked.Increment(ref _inFlight);
        try
        {
            return await AnswerAsync(claimed, stopping);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    /// <summary>Answers <paramref name="claimed"/>, or gives it back; returns how long this loop should nap.</summary>
    private async Task<TimeSpan> AnswerAsync(ClaimedLookup claimed, CancellationToken stopping)
    {
        var (ip, hours) = claimed.Target;
        var key = cache.Key(ip, hours);
        var handedBack = false;
        await using var renewal = LeaseRenewal.Start(store, [claimed], options.ClaimLease, time, logger);
        try
        {
            IpLookupResult answer;
            if (await cache.GetAsync(key) is { } cached && cached.IsFreshAt(time.GetUtcNow()))
            {
                answer = cached.ToResult(LookupSource.Cache);
                metrics.Count(LookupSources.Coalesced);
            }
            else
            {
                // The loop got a token just before the claim (HasTokenAsync), so the call can go as soon as a slot is granted.
                var decision = await quota.TryAcquireAsync(claimed.Priority, stopping);
                if (!decision.Allowed)
                {
                    handedBack = true;
                    await store.ReturnAsync(claimed);
                    return pacing.QuotaDenied(claimed.Priority, decision.RetryAfter);
                }

                if (claimed.Local && decision.IsShared)
                {
                    // Redis is back, and another replica may hold the same lookup in its process: it moves to the shared
                    // backlog at its next claim, where only one replica takes it. The slot goes unused.
                    handedBack = true;
                    await store.ReturnAsync(claimed);
                    return TimeSpan.Zero;
                }

                IpStatsResult result;
                try
                {
                    result = await client.GetIpStatsAsync(ip, hours, stopping);
                }
                catch
                {
                    await quota.RestampAsync(decision, CancellationToken.None);
                    throw;
                }

                // A call that never left (open circuit) gives its slot back: an outage must not spend the budget.
                await (result is IpStatsResult.Failed { NotSent: true }
                    ? quota.ReleaseAsync(decision, CancellationToken.None)
                    : quota.RestampAsync(decision, CancellationToken.None));

                switch (result)
                {
                    case IpStatsResult.Throttled throttled:
                        _pauses.Throttled(throttled.RetryAfter);
                        await quota.PauseAsync(throttled.RetryAfter, stopping);
                        handedBack = true;
                        await store.ReturnAsync(claimed);
                        answers.Complete(claimed.Target, NotNow(DeferralReason.Quota)); // its alerts go out now, stale or deferred
                        return pacing.QuotaDenied(AlertPriority.Critical, throttled.RetryAfter);
                    case IpStatsResult.Failed { Transient: true }:
                        handedBack = true;
                        await store.ReturnAsync(claimed);
                        answers.Complete(claimed.Target, NotNow(DeferralReason.Outage));
                        return pacing.Outage();
                }

                pacing.Answered(claimed.Priority);
                _pauses.Answered();
                // Millisecond precision: the same instant whether read back from L1, Redis or this answer.
                answer = result.ToLookupResult(DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds()));
                if (answer.IsFinal)
                {
                    await cache.PutAsync(key, answer);
                }

                metrics.Count(LookupSources.Api);
                metrics.CountTriage(answer);
            }

            handedBack = !await delivery.DeliverAsync(claimed, answer, stopping);
            return handedBack ? ErrorNap : TimeSpan.Zero;
        }
        catch (Exception ex) when (!handedBack && ex is not OperationCanceledException)
        {
            if (ex is RedisException or TimeoutException)
            {
                LogStoreFailed(logger, ex); // RedisHealth reports the outage once
            }
            else
            {
                LogAnswerFailed(logger, claimed.Target.Member, ex.GetType().Name, ex.Message);
            }

            await delivery.TryReturnAsync(claimed);
            return ErrorNap;
        }
        catch (OperationCanceledException) when (!handedBack)
        {
            await delivery.TryReturnAsync(claimed);
            throw;
        }
    }

    private static IpLookupResult NotNow(string reason) => IpLookupResult.Deferred(reason);

    public void Dispose() => _work.Dispose();

    // Debug: RedisHealth reports the outage itself, once.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Backlog store unavailable; retrying")]
    private static partial void LogStoreFailed(ILogger logger, Exception error);


    [LoggerMessage(Level = LogLevel.Warning, Message = "Answering wanted lookup {Member} failed ({Error}: {Reason}); it stays wanted")]
    private static partial void LogAnswerFailed(ILogger logger, string member, string error, string reason);
}
