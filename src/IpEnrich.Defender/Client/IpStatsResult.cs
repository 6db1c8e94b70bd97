using IpEnrich.Core.Enrichment;

namespace IpEnrich.Defender.Client;

/// <summary>What the API said about one IP, with every outcome the quota and cache layers must tell apart.</summary>
public abstract record IpStatsResult
{
    private IpStatsResult()
    {
    }

    /// <summary>Seen in the organization within the look-back window.</summary>
    public sealed record Found(long Prevalence, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen) : IpStatsResult;

    /// <summary>Prevalence 0 (current API) or 404 (legacy API).</summary>
    public sealed record NotSeen : IpStatsResult;

    /// <summary>400 InvalidIpAddress: never worth asking again.</summary>
    public sealed record Invalid(string Message) : IpStatsResult;

    /// <summary>429: not retried here; the quota layer pauses every replica for <paramref name="RetryAfter"/>.</summary>
    public sealed record Throttled(TimeSpan RetryAfter) : IpStatsResult;

    /// <summary>No answer. <paramref name="Transient"/>: an outage, timeout or open circuit, worth retrying later.</summary>
    /// <param name="NotSent">The request never left (an open circuit, no token): the API did not count it.</param>
    public sealed record Failed(string Reason, bool Transient, int? StatusCode = null, bool NotSent = false) : IpStatsResult;

    public static IpStatsResult NotSeenResult { get; } = new NotSeen();

    /// <summary>The entry for the output contract (source <c>api</c>).</summary>
    public IpLookupResult ToLookupResult(DateTimeOffset fetchedAt) => this switch
    {
        Found f => IpLookupResult.Found(new IpStats(f.Prevalence, f.FirstSeen, f.LastSeen), LookupSource.Api, fetchedAt),
        NotSeen => IpLookupResult.NotSeen(LookupSource.Api, fetchedAt),
        Invalid => IpLookupResult.Invalid(LookupSource.Api, fetchedAt),
        Throttled => IpLookupResult.Deferred(DeferralReason.Quota),
        Failed { Transient: true } => IpLookupResult.Deferred(DeferralReason.Outage),
        Failed f => IpLookupResult.Error(f.Reason),
        _ => throw new InvalidOperationException("unknown result"),
    };
}
