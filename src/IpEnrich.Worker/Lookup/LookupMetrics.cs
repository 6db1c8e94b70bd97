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
    private readonly TriageRules? _triage;

    public LookupMetrics(IpEnrichTelemetry telemetry, IQuotaGate quota, RedisConnection redis, IpCacheStore cache, TriageRules? triage = null)
    {
        _telemetry = telemetry;
        _triage = triage;
        telemetry.ObserveQuota(() => quota.Remaining);
        telemetry.ObserveRedis(() => !redis.IsConfigured || (redis.IsConnected && cache.RedisHealthy));
    }

    /// <summary>Counts <paramref name="lookups"/> answered from <paramref name="source"/> (<see cref="LookupSources"/>).</summary>
    public void Count(string source, int lookups = 1)
    {
        if (lookups > 0)
        {
            _telemetry.Lookups.Add(lookups, source);
        }
    }

    /// <summary>Counts a final answer just fetched (from the API or hunting) by its triage signals.</summary>
    public void CountTriage(in IpLookupResult answer)
    {
        if (_triage?.RarityOf(answer) is { } rarity)
        {
            _telemetry.Triage.Add(1, new KeyValuePair<string, object?>(TagNames.Rarity, TriageRules.Text(rarity)), new KeyValuePair<string, object?>(TagNames.New, _triage.IsNew(answer)));
        }
    }

}
