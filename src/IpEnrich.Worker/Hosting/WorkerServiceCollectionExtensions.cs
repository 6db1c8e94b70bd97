using IpEnrich.Defender;
using IpEnrich.Defender.Configuration;
using IpEnrich.Worker.Backlog;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Pipeline;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;
using IpEnrich.Worker.Telemetry;

namespace IpEnrich.Worker.Hosting;

/// <summary>The worker's modules, in the order they build on each other (docs/architecture.md §9).</summary>
public static class WorkerServiceCollectionExtensions
{
    /// <summary>Everything the worker runs: lookups, alert processing, the Kafka pipeline, health checks.</summary>
    public static IServiceCollection AddIpEnrichWorker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSectionOptions<WorkerHostOptions, WorkerHostOptionsValidator>(configuration, string.Empty);
        // Leniently: the host reads HostOptions while it is built, before the problems above can all be reported.
        services.Configure<HostOptions>(o => o.ShutdownTimeout = CheckedBinding.BindLeniently(configuration, new WorkerHostOptions()).ShutdownTimeout);
        services.AddIpEnrichLookups(configuration);
        services.AddAlertProcessing(configuration);
        services.AddKafkaPipeline(configuration);
        services.AddHealthChecks()
            .AddCheck<PipelineHealthCheck>("pipeline", tags: ["ready"])
            .AddCheck<LookupHealthCheck>("lookups", tags: ["ready"]);
        return services;
    }

    /// <summary>What answers a lookup: telemetry, the Defender client, Redis, the cache, the quota, the backlog (also the <c>lookup</c> command).</summary>
    public static IServiceCollection AddIpEnrichLookups(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddIpEnrichTelemetry(configuration);
        services.AddDefenderClient(configuration);
        services.AddRedis(configuration);
        services.AddIpCache(configuration);
        services.AddQuota(configuration);
        services.AddBacklog(configuration);
        services.AddLookupService(configuration);
        return services;
    }
}
