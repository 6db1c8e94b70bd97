using IpEnrich.Defender.Configuration;
using IpEnrich.Worker.Pipeline;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IpEnrich.Worker.Lookup;

public static class LookupServiceCollectionExtensions
{
    /// <summary>
    /// The lookup service (cache, then the API within the quota, else the backlog), its readiness check, and section
    /// <c>Triage</c>: what a fetched answer's numbers mean.
    /// </summary>
    public static IServiceCollection AddLookupService(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<TriageOptions, TriageOptionsValidator>(configuration, TriageOptions.SectionName);
        services.TryAddSingleton<LookupService>();
        services.TryAddSingleton<LookupHealthCheck>();
        return services;
    }
}
