using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Auth;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Hunting;
using IpEnrich.Defender.Options;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Quota;
using StackExchange.Redis;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// Answers the backlog in batches through advanced hunting (<c>Bulk:Enabled</c>), beside the per-IP drain: whenever
/// the hunting quota has a slot, it takes up to <c>Bulk:MaxIpsPerQuery</c> of the most valuable wanted lookups (one
/// look-back), asks for the ones the cache does not hold in one query, and delivers every answer like the per-IP drain,
/// marked <c>via: hunting</c>. A refused query (400, 401/403) leaves the backlog to the IP statistics API for a while.
/// </summary>
internal sealed partial class BulkDrain(IBacklogStore store, IQuotaGate quota, IHuntingClient hunting, IAccessTokenSource tokens, IpCacheStore cache,
    AnswerDelivery delivery, BulkOptions bulk, BacklogOptions options, TimeProvider time, LookupMetrics metrics, ILogger logger)
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxNap = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RefusedFor = TimeSpan.FromMinutes(15);
    private const int DeliveryParallelism = 32;

    private readonly QuotaPauseLog _pauses = new(time, logger, "Advanced hunting");
    private long _refusedUntil;
    private int _refusalLogged;

    public Task RunAsync(CancellationToken claiming, CancellationToken stopping) => Task.Run(() => LoopAsync(claiming, stopping), CancellationToken.None);

    private Task LoopAsync(CancellationToken claiming, CancellationToken stopping) =>
        DrainLoop.RunAsync(() => RoundAsync(claiming, stopping), time, logger, claiming);

    /// <summary>One batch: claimed, asked and delivered, or given back. Returns how long to nap.</summary>
    private async Task<TimeSpan> RoundAsync(CancellationToken claiming, CancellationToken stopping)
    {
        var refused = TimeSpan.FromMilliseconds(Interlocked.Read(ref _refusedUntil) - time.GetUtcNow().ToUnixTimeMilliseconds());
        if (refused > TimeSpan.Zero)
        {
            return refused < IdlePoll ? refused : IdlePoll;
        }

        if (!await DrainLoop.HasTokenAsync(tokens, logger, claiming) || await store.ClaimAsync(options.ClaimLease) is not { } first)
        {
            return IdlePoll;
        }

        var decision = await quota.TryAcquireAsync(first.Priority, stopping);
        if (!decision.Allowed || (first.Local && decision.IsShared))
        {
            // Refused, or Redis is back while this lookup waited in the process: it moves to the shared backlog first.
            await delivery.TryReturnAsync(first);
            return decision.Allowed ? TimeSpan.Zero : decision.RetryAfter < MaxNap ? decision.RetryAfter : MaxNap;
        }

        var batch = await ClaimBatchAsync(first);
        await using var renewal = LeaseRenewal.Start(store, batch, options.ClaimLease, time, logger);
        try
        {
            await AnswerAsync(batch, decision, stopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !stopping.IsCancellationRequested)
        {
            await ReturnAllAsync(batch); // what was delivered is complete and no longer leased: returning it does nothing
            throw;
        }

        return TimeSpan.Zero;
    }

    /// <summary>Up to <c>Bulk:MaxIpsPerQuery</c> lookups of <paramref name="first"/>'s look-back; others claimed on the way go back.</summary>
    private async Task<List<ClaimedLookup>> ClaimBatchAsync(ClaimedLookup first)
    {
        var batch = new List<ClaimedLookup>(bulk.MaxIpsPerQuery) { first };
        var others = new List<ClaimedLookup>();
        while (batch.Count < bulk.MaxIpsPerQuery && await store.ClaimAsync(options.ClaimLease) is { } next)
        {
            (next.Target.LookBackHours == first.Target.LookBackHours && next.Local == first.Local ? batch : others).Add(next);
        }

        await ReturnAllAsync(others);
        return batch;
    }

    private async Task AnswerAsync(List<ClaimedLookup> batch, QuotaDecision decision, CancellationToken stopping)
    {
        var keys = batch.Select(c => cache.Key(c.Target.Ip, c.Target.LookBackHours)).ToList();
        var cached = await cache.GetManyAsync(keys);
        var now = time.GetUtcNow();
        var fresh = Enumerable.Range(0, batch.Count).Where(i => cached[i] is { } entry && entry.IsFreshAt(now)).ToList();
        var ask = Enumerable.Range(0, batch.Count).Except(fresh).ToList();
        await DeliverAllAsync(fresh.Select(i => (batch[i], keys[i], cached[i]!.ToResult(LookupSource.Cache), Put: false)), stopping);
        metrics.Count(LookupSources.Coalesced, fresh.Count);
        if (ask.Count == 0)
        {
            return; // the slot goes unused
        }

        HuntingResult result;
        try
        {
            result = await hunting.RunAsync([.. ask.Select(i => batch[i].Target.Ip)], batch[0].Target.LookBackHours, stopping);
        }
        catch
        {
            await quota.RestampAsync(decision, CancellationToken.None);
            throw;
        }

        await (result is HuntingResult.Failed { NotSent: true }
            ? quota.ReleaseAsync(decision, CancellationToken.None)
            : quota.RestampAsync(decision, CancellationToken.None));

        var unanswered = ask.Select(i => batch[i]).ToList();
        switch (result)
        {
            case HuntingResult.Answered answered:
                _pauses.Answered();
                var fetchedAt = DateTimeOffset.FromUnixTimeMilliseconds(time.GetUtcNow().ToUnixTimeMilliseconds());
                await DeliverAllAsync(ask.Select(i => (batch[i], keys[i],
                    answered.ByIp[DefenderIpStatsClient.CanonicalAddress(batch[i].Target.Ip)].ToLookupResult(fetchedAt).AsHunted(), Put: true)), stopping);
                metrics.Count(LookupSources.Hunting, ask.Count);
                return;
            case HuntingResult.Throttled throttled:
                _pauses.Throttled(throttled.RetryAfter);
                await quota.PauseAsync(throttled.RetryAfter, stopping);
                break;
            case HuntingResult.Rejected rejected:
                Refuse(() => LogRejected(logger, rejected.Message, HuntingQuery.Shape(ask.Count, batch[0].Target.LookBackHours), RefusedFor.TotalMinutes));
                break;
            case HuntingResult.Failed { Transient: false } failed:
                Refuse(() => LogRefused(logger, failed.Reason, RefusedFor.TotalMinutes));
                break;
        }

        await ReturnAllAsync(unanswered); // the per-IP drain, or a later batch, answers them
    }

    private async Task DeliverAllAsync(IEnumerable<(ClaimedLookup Claimed, CacheKey Key, IpLookupResult Answer, bool Put)> answers, CancellationToken stopping) =>
        await Parallel.ForEachAsync(answers, new ParallelOptions { MaxDegreeOfParallelism = DeliveryParallelism, CancellationToken = stopping },
            async (item, _) =>
            {
                if (item.Put && item.Answer.IsFinal)
                {
                    await cache.PutAsync(item.Key, item.Answer);
                    metrics.CountTriage(item.Answer);
                }

                await delivery.DeliverAsync(item.Claimed, item.Answer, stopping);
            });

    private async Task ReturnAllAsync(IEnumerable<ClaimedLookup> claimed)
    {
        foreach (var lookup in claimed)
        {
            await delivery.TryReturnAsync(lookup);
        }
    }

    /// <summary>The service will not run this query for this identity: the IP statistics API answers alone for a while.</summary>
    private void Refuse(Action logOnce)
    {
        Interlocked.Exchange(ref _refusedUntil, (time.GetUtcNow() + RefusedFor).ToUnixTimeMilliseconds());
        if (Interlocked.Exchange(ref _refusalLogged, 1) == 0)
        {
            logOnce();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Advanced hunting refused the bulk query ({Message}); query shape: {Shape}. The IP statistics API answers alone for {Minutes} min")]
    private static partial void LogRejected(ILogger logger, string message, string shape, double minutes);

    [LoggerMessage(Level = LogLevel.Error, Message = "Advanced hunting unavailable: {Reason}. The IP statistics API answers alone for {Minutes} min")]
    private static partial void LogRefused(ILogger logger, string reason, double minutes);
}
