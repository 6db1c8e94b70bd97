using System.Net;

namespace IpEnrich.Defender.Client;

/// <summary>The Get IP statistics API.</summary>
public interface IDefenderClient
{
    /// <summary>
    /// Statistics for <paramref name="ip"/> over <paramref name="lookBackHours"/> (1..720). Never throws for API or
    /// network outcomes (they are results); throws only when <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    Task<IpStatsResult> GetIpStatsAsync(IPAddress ip, int lookBackHours, CancellationToken cancellationToken);
}
