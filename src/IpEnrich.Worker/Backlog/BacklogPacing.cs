using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// What the drain last learned about the budget and the API: how long loops nap after a refusal, whether a fresh miss
/// can be answered within its alert's wait, and why it is deferred when it is not (<c>quota</c>, <c>outage</c>, <c>timeout</c>).
/// Two classes, because the high-priority reserve lets high and critical lookups through when others must wait.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A CancellationTokenSource without a timer holds nothing to release; each is dropped once cancelled.")]
internal sealed class BacklogPacing(TimeProvider time)
{
    // Short enough that a slot freed early (another replica gave one back, a pause lifted) is used within a second.
    private static readonly TimeSpan MaxNap = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MinNap = TimeSpan.FromMilliseconds(10);
    private static readonly TimeSpan RecentlyDenied = TimeSpan.FromSeconds(2);

    private readonly long[] _blockedUntil = new long[2];
    private readonly long[] _deniedAt = new long[2];
    private long _outageUntil;
    private CancellationTokenSource _blocked = new();

    /// <summary>
    /// Cancelled at the next refusal or failure: waiting alerts then check whether waiting on is worth it. A token
    /// rather than one shared task: an alert whose answers come first drops its registration at once, where its
    /// continuation on a shared task was found by a linear search among every other waiting alert's.
    /// </summary>
    public CancellationToken NextBlock => Volatile.Read(ref _blocked).Token;

    public TimeSpan? OutageLeft => Left(Volatile.Read(ref _outageUntil)) is var left && left > TimeSpan.Zero ? left : null;

    /// <summary>A slot was refused until <paramref name="retryAfter"/> from now: the nap before the next try.</summary>
    public TimeSpan QuotaDenied(AlertPriority priority, TimeSpan retryAfter)
    {
        var now = Now;
        var until = now + (long)retryAfter.TotalMilliseconds;
        for (var c = ClassOf(priority); c >= 0; c--)
        {
            // A refusal for high priority holds for the rest as well.
            Volatile.Write(ref _blockedUntil[c], Math.Max(Volatile.Read(ref _blockedUntil[c]), until));
            Volatile.Write(ref _deniedAt[c], now);
        }

        SignalBlock();
        return retryAfter < MinNap ? MinNap : retryAfter > MaxNap ? MaxNap : retryAfter;
    }

    /// <summary>
    /// The API failed transiently: every loop naps a second. Longer back-off is the client's circuit breaker's job
    /// (an open circuit fails at once, without a call), so the outage lasts exactly as long as the API's.
    /// </summary>
    public TimeSpan Outage()
    {
        Volatile.Write(ref _outageUntil, Now + (long)MaxNap.TotalMilliseconds);
        SignalBlock();
        return MaxNap;
    }

    public void Answered(AlertPriority priority)
    {
        Volatile.Write(ref _outageUntil, 0);
        for (var c = ClassOf(priority); c < 2; c++)
        {
            Volatile.Write(ref _blockedUntil[c], 0); // a slot for lower priority is one for higher too
        }
    }

    /// <summary>True when no slot for <paramref name="priority"/> (or no working API) can come within <paramref name="wait"/>: the alert need not wait.</summary>
    public bool BlockedBeyond(AlertPriority priority, TimeSpan wait) =>
        Left(Volatile.Read(ref _blockedUntil[ClassOf(priority)])) > wait || OutageLeft > wait;

    /// <summary>Why a lookup wanted at <paramref name="priority"/> is not answered yet.</summary>
    public string ReasonNow(AlertPriority priority)
    {
        var c = ClassOf(priority);
        if (OutageLeft is not null)
        {
            return DeferralReason.Outage;
        }

        return Left(Volatile.Read(ref _blockedUntil[c])) > TimeSpan.Zero || -Left(Volatile.Read(ref _deniedAt[c])) < RecentlyDenied
            ? DeferralReason.Quota
            : DeferralReason.Timeout;
    }

    // The callbacks run here; each only completes its waiter's own task, whose continuation runs asynchronously. The
    // old source has no timer and is not disposed: a waiter may still register on its token, and then runs at once.
    private void SignalBlock() => Interlocked.Exchange(ref _blocked, new CancellationTokenSource()).Cancel();

    private static int ClassOf(AlertPriority priority) => priority >= AlertPriority.High ? 1 : 0;

    private long Now => time.GetUtcNow().ToUnixTimeMilliseconds();

    private TimeSpan Left(long untilMs) => TimeSpan.FromMilliseconds(untilMs - Now);
}
