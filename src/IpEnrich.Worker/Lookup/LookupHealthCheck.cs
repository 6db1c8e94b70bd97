using System.Globalization;
using IpEnrich.Defender.Client;
using IpEnrich.Worker.Backlog;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IpEnrich.Worker.Lookup;

/// <summary>
/// Readiness of the lookup path: healthy in single-instance mode or with Redis reachable; degraded (still enriching,
/// from L1 and the local limiter) while a configured Redis cannot be reached, and degraded while the Defender API's
/// TLS or authentication fails (alerts still flow, with error entries, until the credential or trust is fixed).
/// A backlog of wanted lookups is reported (size, oldest age) but never makes it unready: under quota it is normal.
/// </summary>
public sealed class LookupHealthCheck(RedisConnection redis, IpCacheStore cache, DefenderApiStatus defender, BacklogScheduler backlog) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var store = !redis.IsConfigured
            ? HealthCheckResult.Healthy("single-instance mode: in-memory cache and local limiter")
            : redis.IsConnected && cache.RedisHealthy
                ? HealthCheckResult.Healthy("Redis reachable: shared cache and quota")
                : HealthCheckResult.Degraded("Redis unreachable: enriching from the in-process cache and the local limiter (1/ExpectedReplicas of the budget)");

        var total = backlog.Snapshot.Total;
        var oldest = Math.Round(backlog.Metrics.OldestSeconds);
        var data = new Dictionary<string, object> { ["backlog"] = total, ["backlogOldestSeconds"] = oldest };
        var description = string.Create(CultureInfo.InvariantCulture, $"{store.Description}; backlog {total} wanted lookups, oldest {oldest:0} s");
        return Task.FromResult(defender.Problem is { } problem
            ? HealthCheckResult.Degraded($"Defender API: {problem}; {description}", data: data)
            : new HealthCheckResult(store.Status, description, data: data));
    }
}
