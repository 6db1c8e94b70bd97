using IpEnrich.Defender;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Lookup;

public static class LookupServiceCollectionExtensions
{
    /// <summary>The lookup service on the Defender client, with Redis when configured, in-memory otherwise.</summary>
    public static IServiceCollection AddLookupService(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddDefenderClient(configuration);
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.SectionName));
        services.AddOptions<CacheOptions>().Bind(configuration.GetSection(CacheOptions.SectionName))
            .Validate(o => o.TtlJitter is >= 0 and < 1, "Cache:TtlJitter must be in [0, 1)")
            .Validate(o => o.FoundTtl > TimeSpan.Zero && o.NotSeenTtl > TimeSpan.Zero && o.InvalidTtl > TimeSpan.Zero, "Cache: FoundTtl, NotSeenTtl and InvalidTtl must be positive")
            .ValidateOnStart();
        services.AddOptions<QuotaOptions>().Bind(configuration.GetSection(QuotaOptions.SectionName))
            .Validate(o => o.PerMinute > 0 && o.PerHour > 0, "Quota:PerMinute and Quota:PerHour must be positive")
            .Validate(o => o.SafetyMargin is >= 0 and < 1, "Quota:SafetyMargin must be in [0, 1)")
            .Validate(o => o.HighPriorityReserve is >= 0 and < 1, "Quota:HighPriorityReserve must be in [0, 1)")
            .Validate(o => o.ExpectedReplicas >= 1, "Quota:ExpectedReplicas must be at least 1")
            .ValidateOnStart();
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<IpCacheStore>();
        services.TryAddSingleton<IQuotaGate>(sp => sp.GetRequiredService<RedisConnection>().IsConfigured
            ? ActivatorUtilities.CreateInstance<RedisQuotaGate>(sp)
            : new LocalQuotaGate(sp.GetRequiredService<IOptions<QuotaOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<LookupService>();
        services.TryAddSingleton<LookupHealthCheck>();
        return services;
    }
}
