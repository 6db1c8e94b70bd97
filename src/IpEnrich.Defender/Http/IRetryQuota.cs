namespace IpEnrich.Defender.Http;

/// <summary>
/// The API counts every request against the quota, retries included: a retry the resilience pipeline would send must
/// first get a slot from the budget the lookup's first request came from. Without one registered, retries go unmetered.
/// </summary>
public interface IRetryQuota
{
    /// <summary>A slot for one more attempt, or null when the budget has none now: the lookup then fails as it stands.</summary>
    Task<object?> TryTakeAsync(CancellationToken cancellationToken);

    /// <summary>The attempt holding <paramref name="slot"/> was sent and has been answered: its slot counts from now.</summary>
    Task SpentAsync(object slot);

    /// <summary>The attempt holding <paramref name="slot"/> never left (an open circuit, no token): the slot is free again.</summary>
    Task UnusedAsync(object slot);
}
