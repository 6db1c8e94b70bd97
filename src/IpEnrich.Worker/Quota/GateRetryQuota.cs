using IpEnrich.Core.Enrichment;
using IpEnrich.Defender.Http;

namespace IpEnrich.Worker.Quota;

/// <summary>
/// Retries of Defender API calls take their slots from the lookup budget every replica shares, at the lowest priority:
/// a retry against a failing API is worth less than a first ask, and must never make the API answer 429.
/// </summary>
public sealed class GateRetryQuota(IQuotaGate gate) : IRetryQuota
{
    public async Task<object?> TryTakeAsync(CancellationToken cancellationToken)
    {
        var decision = await gate.TryAcquireAsync(AlertPriority.Low, cancellationToken);
        return decision.Allowed ? decision : null;
    }

    public Task SpentAsync(object slot) => gate.RestampAsync((QuotaDecision)slot, CancellationToken.None);

    public Task UnusedAsync(object slot) => gate.ReleaseAsync((QuotaDecision)slot, CancellationToken.None);
}
