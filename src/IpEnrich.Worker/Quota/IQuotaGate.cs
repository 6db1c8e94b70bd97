using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Quota;

/// <summary>Decides whether one more API call fits the shared budget now.</summary>
public interface IQuotaGate
{
    /// <summary>Takes a slot, or says how long until one could free (or the shared pause ends).</summary>
    Task<QuotaDecision> TryAcquireAsync(AlertPriority priority, CancellationToken cancellationToken);

    /// <summary>
    /// The call <paramref name="decision"/> granted has been answered: its slot counts from now. The API counts a call
    /// when it arrives, which can be well after the grant (a new connection, a queue); counting from the answer
    /// (never earlier than the arrival) keeps a window from freeing before the API's does.
    /// </summary>
    Task RestampAsync(QuotaDecision decision, CancellationToken cancellationToken);

    /// <summary>
    /// The call <paramref name="decision"/> granted was never sent (an open circuit, no token): its slot is free again.
    /// Otherwise an outage would spend the budget on calls the API never saw.
    /// </summary>
    Task ReleaseAsync(QuotaDecision decision, CancellationToken cancellationToken);

    /// <summary>After a 429: no replica calls the API until <paramref name="retryAfter"/> has passed.</summary>
    Task PauseAsync(TimeSpan retryAfter, CancellationToken cancellationToken);

    /// <summary>Slots left per window as last observed (the <c>ipenrich.quota.remaining</c> gauge).</summary>
    (int Minute, int Hour) Remaining { get; }
}

/// <param name="Slot">The granted slot (for <see cref="IQuotaGate.RestampAsync"/>), as the gate that granted it names it.</param>
public readonly record struct QuotaDecision(bool Allowed, TimeSpan RetryAfter, string? Slot = null)
{
    public static QuotaDecision Allow { get; } = new(true, TimeSpan.Zero);

    public static QuotaDecision Granted(string slot) => new(true, TimeSpan.Zero, slot);

    public static QuotaDecision Deny(TimeSpan retryAfter) => new(false, retryAfter);

    /// <summary>Granted by the budget every replica shares (Redis), not by this replica's own limiter.</summary>
    public bool IsShared => Allowed && Slot is { } slot && !slot.StartsWith(LocalQuotaGate.SlotPrefix, StringComparison.Ordinal);
}
