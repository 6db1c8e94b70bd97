using System.Diagnostics.Metrics;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;

namespace IpEnrich.Worker.Lookup;

/// <summary>The lookup path's telemetry: lookups counted by where their answer came from, the quota and Redis gauges.</summary>
internal sealed class LookupMetrics
{
    private readonly IpEnrichTelemetry _telemetry;
    private readonly IQuotaGate _quota;
    private readonly TriageRules? _triage;

    public LookupMetrics(IpEnrichTelemetry telemetry, IQuotaGate quota, RedisConnection redis, IpCacheStore cache, TriageRules? triage = null)
    {
        _telemetry = telemetry;
        _quota = quota;
        _triage = triage;
        telemetry.Meter.CreateObservableGauge("ipenrich.quota.remaining", ObserveQuota, "{call}", "API calls left in the shared budget, by window");
        telemetry.Meter.CreateObservableGauge("ipenrich.redis.up", () => !redis.IsConfigured || (redis.IsConnected && cache.RedisHealthy) ? 1 : 0,
            null, "1 when Redis is reachable (or not configured), 0 while running on the in-process fallback");
    }

    /// <summary>Counts <paramref name="lookups"/> answered from <paramref name="source"/> (l1, redis, api, coalesced, stale, deferred).</summary>
    public void Count(string source, int lookups = 1)
    {
        if (lookups > 0)
        {
            _telemetry.Lookups.Add(lookups, new KeyValuePair<string, object?>("source", source));
        }
    }

    /// <summary>Counts a final answer just fetched (from the API or hunting) by its triage signals.</summary>
    public void CountTriage(in IpLookupResult answer)
    {
        if (_triage?.RarityOf(answer) is { } rarity)
        {
            _telemetry.Triage.Add(1, new KeyValuePair<string, object?>("rarity", TriageRules.Text(rarity)), new KeyValuePair<string, object?>("new", _triage.IsNew(answer)));
        }
    }

    private IEnumerable<Measurement<int>> ObserveQuota()
    {
        var (minute, hour) = _quota.Remaining;
        yield return new Measurement<int>(minute, new KeyValuePair<string, object?>("window", "minute"));
        yield return new Measurement<int>(hour, new KeyValuePair<string, object?>("window", "hour"));
    }
}
