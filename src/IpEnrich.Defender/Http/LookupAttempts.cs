using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace IpEnrich.Defender.Http;

/// <summary>
/// One lookup's attempts, carried in its request's options: how many left for the API, and the quota slots its retries
/// hold. The retry predicate takes a slot before each retry, <see cref="AttemptCountingHandler"/> counts each attempt
/// that leaves (spending its slot), and the client settles the slots once the lookup has its outcome.
/// </summary>
internal sealed class LookupAttempts(IRetryQuota? quota)
{
    public static readonly HttpRequestOptionsKey<LookupAttempts> Key = new("IpEnrich.LookupAttempts");

    private readonly List<object> _spent = [];
    private object? _pending;

    /// <summary>Attempts that left for the API: none means the API never saw, nor counted, the lookup.</summary>
    public int Sent { get; private set; }

    /// <summary>The attempts of the request the resilience pipeline is running, if its caller tracks them.</summary>
    public static LookupAttempts? Of(ResilienceContext context)
    {
        // Experimental since .NET 8, but the documented way from a strategy's callback to the request it runs.
#pragma warning disable EXTEXP0001
        var request = context.GetRequestMessage();
#pragma warning restore EXTEXP0001
        return request is not null && request.Options.TryGetValue(Key, out var attempts) ? attempts : null;
    }

    /// <summary>Takes the quota slot the next attempt will use; false when the budget has none (no retry then).</summary>
    public async ValueTask<bool> TryTakeRetrySlotAsync(CancellationToken cancellationToken)
    {
        if (quota is null)
        {
            return true;
        }

        await ReturnPendingAsync();
        _pending = await quota.TryTakeAsync(cancellationToken);
        return _pending is not null;
    }

    /// <summary>An attempt is leaving for the API: the slot taken for it is spent.</summary>
    public void Sending()
    {
        Sent++;
        if (_pending is { } slot)
        {
            _spent.Add(slot);
            _pending = null;
        }
    }

    /// <summary>The lookup has its outcome: spent slots count from now; one taken for an attempt that never left is freed.</summary>
    public async Task SettleAsync()
    {
        await ReturnPendingAsync();
        foreach (var slot in _spent)
        {
            await quota!.SpentAsync(slot);
        }

        _spent.Clear();
    }

    private async Task ReturnPendingAsync()
    {
        if (_pending is { } unused)
        {
            _pending = null;
            await quota!.UnusedAsync(unused);
        }
    }
}
