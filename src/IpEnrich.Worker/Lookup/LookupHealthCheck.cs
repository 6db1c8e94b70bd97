using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IpEnrich.Worker.Lookup;

/// <summary>
/// Readiness of the lookup path: healthy in single-instance mode or with Redis reachable; degraded (still enriching,
/// from L1 and the local limiter) while a configured Redis cannot be reached.
/// </summary>
public sealed class LookupHealthCheck(RedisConnection redis, IpCacheStore cache) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConfigured)
        {
            return Task.FromResult(HealthCheckResult.Healthy("single-instance mode: in-memory cache and local limiter"));
        }

        return Task.FromResult(redis.IsConnected && cache.RedisHealthy
            ? HealthCheckResult.Healthy("Redis reachable: shared cache and quota")
            : HealthCheckResult.Degraded("Redis unreachable: enriching from the in-process cache and the local limiter (1/ExpectedReplicas of the budget)"));
    }
}
