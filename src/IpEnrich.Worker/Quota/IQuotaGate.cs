using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Quota;

/// <summary>Decides whether one more API call fits the shared budget now.</summary>
public interface IQuotaGate
{
    /// <summary>Takes a slot, or says how long until one could free (or the shared pause ends).</summary>
    Task<QuotaDecision> TryAcquireAsync(AlertPriority priority, CancellationToken cancellationToken);

    /// <summary>After a 429: no replica calls the API until <paramref name="retryAfter"/> has passed.</summary>
    Task PauseAsync(TimeSpan retryAfter, CancellationToken cancellationToken);

    /// <summary>Slots left per window as last observed (the <c>ipenrich.quota.remaining</c> gauge).</summary>
    (int Minute, int Hour) Remaining { get; }
}

public readonly record struct QuotaDecision(bool Allowed, TimeSpan RetryAfter)
{
    public static QuotaDecision Allow { get; } = new(true, TimeSpan.Zero);

    public static QuotaDecision Deny(TimeSpan retryAfter) => new(false, retryAfter);
}
