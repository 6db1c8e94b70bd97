using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using StackExchange.Redis;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// What happens to a wanted lookup once it has an answer, whoever found it (the IP statistics API or advanced
/// hunting): its waiting alerts in this process wake, other replicas hear of it, the alerts that went out without it
/// get their late updates, and only then does it leave the backlog.
/// </summary>
internal sealed partial class AnswerDelivery(IBacklogStore store, AnswerWaiters answers, bool deliversUpdates, Action<string, long> countUpdates, ILogger logger)
{
    private volatile ILateUpdateSink? _sink;

    /// <summary>Where late updates go; none until the pipeline produces (their lookups wait, answered and cached).</summary>
    public ILateUpdateSink? Sink
    {
        get => _sink;
        set => _sink = value;
    }

    /// <summary>Delivers <paramref name="answer"/> for <paramref name="claimed"/>. False when the lookup went back instead (no sink yet).</summary>
    public async Task<bool> DeliverAsync(ClaimedLookup claimed, IpLookupResult answer, CancellationToken stopping)
    {
        answers.Complete(claimed.Target, answer);
        await answers.AnnounceAsync(claimed.Target);
        return await SettleWaitersAsync(claimed, answer, stopping);
    }

    /// <summary>Gives <paramref name="claimed"/> back; if Redis cannot take it now, its lease ends and it is wanted again.</summary>
    public async Task TryReturnAsync(ClaimedLookup claimed)
    {
        try
        {
            await store.ReturnAsync(claimed);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogReturnFailed(logger, ex);
        }
    }

    /// <summary>Late updates for the waiting alerts, then the lookup leaves the backlog. False when it went back instead.</summary>
    private async Task<bool> SettleWaitersAsync(ClaimedLookup claimed, IpLookupResult answer, CancellationToken stopping)
    {
        IReadOnlyList<AlertReference> waiters = [];
        if (claimed.Waiters > 0 || deliversUpdates)
        {
            (waiters, var uncounted) = await store.WaitersAsync(claimed);
            if (uncounted > 0)
            {
                countUpdates(UpdateOutcomes.Overflow, uncounted);
            }
        }

        if (waiters.Count > 0)
        {
            if (!answer.IsFinal || !deliversUpdates)
            {
                countUpdates(answer.IsFinal ? UpdateOutcomes.Dropped : UpdateOutcomes.Unanswered, waiters.Count);
            }
            else if (_sink is { } sink)
            {
                await sink.PublishAsync(waiters, claimed.Target, answer, stopping);
                countUpdates(UpdateOutcomes.Published, waiters.Count);
            }
            else
            {
                await store.ReturnAsync(claimed); // the pipeline is not producing yet: the answer is cached, the waiters wait
                return false;
            }
        }

        await store.CompleteAsync(claimed, waiters.Count);
        return true;
    }

    // Debug: RedisHealth reports the outage itself, once.
    [LoggerMessage(Level = LogLevel.Debug, Message = "A wanted lookup could not be given back; its lease returns it")]
    private static partial void LogReturnFailed(ILogger logger, Exception error);
}
