using IpEnrich.Defender.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IpEnrich.Worker.Caching;

public static class CachingServiceCollectionExtensions
{
    /// <summary>Section <c>Cache</c> and the answer cache: in the process, and in Redis when configured.</summary>
    public static IServiceCollection AddIpCache(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<CacheOptions, CacheOptionsValidator>(configuration, CacheOptions.SectionName);
        services.TryAddSingleton<CacheProfile>();
        services.TryAddSingleton<IpCacheStore>();
        return services;
    }
}
