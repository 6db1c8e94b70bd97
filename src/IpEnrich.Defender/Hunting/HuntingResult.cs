using System.Net;
using IpEnrich.Defender.Client;

namespace IpEnrich.Defender.Hunting;

/// <summary>What advanced hunting said about a batch, with every outcome the bulk drain must tell apart.</summary>
public abstract record HuntingResult
{
    private HuntingResult()
    {
    }

    /// <summary>Every IP of the batch: <see cref="IpStatsResult.Found"/> or, absent from the results, <see cref="IpStatsResult.NotSeen"/>.</summary>
    public sealed record Answered(IReadOnlyDictionary<IPAddress, IpStatsResult> ByIp) : HuntingResult;

    /// <summary>429: the call limit (<paramref name="Cpu"/> false) or the tenant's CPU allocation; every replica pauses.</summary>
    public sealed record Throttled(TimeSpan RetryAfter, bool Cpu, string Message) : HuntingResult;

    /// <summary>400: the service refused the query; the batch goes to the IP statistics API instead.</summary>
    public sealed record Rejected(string Message) : HuntingResult;

    /// <summary>No answer. <paramref name="Transient"/>: an outage, timeout or open circuit, worth retrying later.</summary>
    /// <param name="NotSent">The request never left (an open circuit, no token): the service did not count it.</param>
    public sealed record Failed(string Reason, bool Transient, bool NotSent = false) : HuntingResult;
}
