using IpEnrich.Defender;
using IpEnrich.Worker.Backlog;
using IpEnrich.Defender.Configuration;
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
        services.AddOptions<RedisOptions>().BindChecked(configuration.GetSection(RedisOptions.SectionName))
            .Validate(o => RedisOptions.IsValidConnectionString(o.ConnectionString), "Redis:ConnectionString is not a valid StackExchange.Redis configuration string (not shown: it may hold a password)")
            .Validate(o => InRange(o.Timeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(1)), "Redis:Timeout must be between 100ms and 1m")
            .Validate(o => InRange(o.AlertPathTimeout, TimeSpan.FromMilliseconds(10), o.Timeout), "Redis:AlertPathTimeout must be between 10ms and Redis:Timeout")
            .Validate(o => InRange(o.FallbackGrace, TimeSpan.Zero, TimeSpan.FromMinutes(10)), "Redis:FallbackGrace must be between 0s and 10m")
            .ValidateOnStart();
        services.TryAddSingleton<RedisHealth>();
        services.AddOptions<CacheOptions>().BindChecked(configuration.GetSection(CacheOptions.SectionName))
            .Validate(o => o.TtlJitter is >= 0 and < 1, "Cache:TtlJitter must be in [0, 1)")
            .Validate(o => InRange(o.FoundTtl, OneSecond, OneYear) && InRange(o.NotSeenTtl, OneSecond, OneYear) && InRange(o.InvalidTtl, OneSecond, OneYear),
                "Cache: FoundTtl, NotSeenTtl and InvalidTtl must be between 1s and 365d")
            .Validate(o => InRange(o.MaxStale, TimeSpan.Zero, OneYear), "Cache:MaxStale must be between 0s and 365d")
            .Validate(o => InRange(o.L1Ttl, OneSecond, TimeSpan.FromDays(1)), "Cache:L1Ttl must be between 1s and 1d")
            .Validate(o => o.L1Capacity >= 0, "Cache:L1Capacity must not be negative")
            .ValidateOnStart();
        services.AddOptions<QuotaOptions>().BindChecked(configuration.GetSection(QuotaOptions.SectionName))
            .Validate(o => o.PerMinute > 0 && o.PerHour > 0, "Quota:PerMinute and Quota:PerHour must be positive")
            .Validate(o => o.SafetyMargin is >= 0 and < 1, "Quota:SafetyMargin must be in [0, 1)")
            .Validate(o => o.HighPriorityReserve is >= 0 and < 1, "Quota:HighPriorityReserve must be in [0, 1)")
            .Validate(o => o.ExpectedReplicas >= 1, "Quota:ExpectedReplicas must be at least 1")
            // Shorter windows exist for tests; the API's own are 1m and 1h.
            .Validate(o => InRange(o.MinuteWindow, OneSecond, o.HourWindow) && o.HourWindow <= TimeSpan.FromDays(1), "Quota: MinuteWindow must be at least 1s and not above HourWindow, HourWindow at most 1d")
            .ValidateOnStart();
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<CacheProfile>();
        services.TryAddSingleton<IpCacheStore>();
        services.TryAddSingleton<IQuotaGate>(sp => sp.GetRequiredService<RedisConnection>().IsConfigured
            ? ActivatorUtilities.CreateInstance<RedisQuotaGate>(sp)
            : new LocalQuotaGate(sp.GetRequiredService<IOptions<QuotaOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.AddOptions<BacklogOptions>().BindChecked(configuration.GetSection(BacklogOptions.SectionName))
            .Validate(o => o.MaxIps is >= 1 and <= 10_000_000, "Backlog:MaxIps must be between 1 and 10000000")
            .Validate(o => o.MaxAlertsPerIp is >= 0 and <= 100_000, "Backlog:MaxAlertsPerIp must be between 0 and 100000")
            .Validate(o => InRange(o.MaxAge, TimeSpan.FromMinutes(1), TimeSpan.FromDays(30)), "Backlog:MaxAge must be between 1m and 30d")
            .Validate(o => o.Concurrency is >= 1 and <= 256, "Backlog:Concurrency must be between 1 and 256")
            .Validate(o => InRange(o.ClaimLease, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1)), "Backlog:ClaimLease must be between 1s and 1h")
            .ValidateOnStart();
        services.AddOptions<IpEnrich.Worker.Pipeline.TriageOptions>().BindChecked(configuration.GetSection(IpEnrich.Worker.Pipeline.TriageOptions.SectionName))
            .Validate(o => o.RareAtMost >= 0, "Triage:RareAtMost must be 0 or more")
            .Validate(o => o.UncommonAtMost >= o.RareAtMost, "Triage:UncommonAtMost must not be below Triage:RareAtMost")
            .Validate(o => InRange(o.NewWithin, OneSecond, OneYear), "Triage:NewWithin must be between 1s and 365d")
            .ValidateOnStart();
        services.TryAddSingleton<BulkSource>();
        services.TryAddSingleton<BacklogScheduler>();
        services.AddHostedService<BacklogStarter>();
        services.TryAddSingleton<LookupService>();
        services.TryAddSingleton<LookupHealthCheck>();
        return services;
    }

    /// <summary>The alert processor (extraction, lookups, annotation) on top of the lookup service.</summary>
    public static IServiceCollection AddAlertProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddLookupService(configuration);
        services.AddOptions<IpEnrich.Core.Extraction.ExtractionOptions>().BindChecked(configuration.GetSection(IpEnrich.Core.Extraction.ExtractionOptions.SectionName))
            // The extractor skips the property the annotator writes, whatever it is named. Read leniently: through
            // IOptions an invalid Enrichment section would fail this section too, and be reported twice.
            .Configure(extraction => extraction.EnrichmentProperty = CheckedBinding.BindLeniently(
                configuration.GetSection(IpEnrich.Worker.Pipeline.EnrichmentOptions.SectionName), new IpEnrich.Worker.Pipeline.EnrichmentOptions()).Property)
            .ValidateOnStart();
        services.AddOptions<IpEnrich.Worker.Pipeline.EnrichmentOptions>().BindChecked(configuration.GetSection(IpEnrich.Worker.Pipeline.EnrichmentOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.Property), "Enrichment:Property must not be empty")
            .Validate(o => InRange(o.MaxWait, TimeSpan.FromMilliseconds(1), TimeSpan.FromMinutes(5)), "Enrichment:MaxWait must be between 1ms and 5m")
            .ValidateOnStart();
        services.TryAddSingleton<IpEnrich.Worker.Pipeline.AlertProcessor>();
        return services;
    }

    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    private static readonly TimeSpan OneYear = TimeSpan.FromDays(365);

    private static bool InRange(TimeSpan value, TimeSpan min, TimeSpan max) => value >= min && value <= max;
}
