using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IpEnrich.Worker.Lookup;

public static class LookupServiceCollectionExtensions
{
    /// <summary>The lookup service (cache, then the API within the quota, else the backlog) and its readiness check.</summary>
    public static IServiceCollection AddLookupService(this IServiceCollection services)
    {
        services.TryAddSingleton<LookupService>();
        services.TryAddSingleton<LookupHealthCheck>();
        return services;
    }
}
