using IpEnrich.Defender.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IpEnrich.Worker.Backlog;

public static class BacklogServiceCollectionExtensions
{
    /// <summary>Section <c>Backlog</c>: the wanted lookups, answered as the budget allows, one by one and in bulk (<c>Bulk</c>).</summary>
    public static IServiceCollection AddBacklog(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<BacklogOptions, BacklogOptionsValidator>(configuration, BacklogOptions.SectionName);
        services.TryAddSingleton<BulkSource>();
        services.TryAddSingleton<BacklogScheduler>();
        services.AddHostedService<BacklogStarter>();
        return services;
    }
}
