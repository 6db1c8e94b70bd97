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

    /// <summary>The alert processor (extraction, lookups, annotation) on top of the lookup service.</summary>
    public static IServiceCollection AddAlertProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLookupService(configuration);
        services.AddOptions<IpEnrich.Core.Extraction.ExtractionOptions>().Bind(configuration.GetSection(IpEnrich.Core.Extraction.ExtractionOptions.SectionName))
            // The extractor skips the property the annotator writes, whatever it is named.
            .Configure<IOptions<IpEnrich.Worker.Pipeline.EnrichmentOptions>>((extraction, enrichment) => extraction.EnrichmentProperty = enrichment.Value.Property)
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<IpEnrich.Worker.Pipeline.EnrichmentOptions>().Bind(configuration.GetSection(IpEnrich.Worker.Pipeline.EnrichmentOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Property), "Enrichment:Property must not be empty")
            .Validate(o => o.MaxWait > TimeSpan.Zero && o.MaxWait <= TimeSpan.FromMinutes(5), "Enrichment:MaxWait must be between 0 and 5 minutes")
            .ValidateOnStart();
        services.TryAddSingleton<IpEnrich.Worker.Pipeline.AlertProcessor>();
        return services;
    }
}
