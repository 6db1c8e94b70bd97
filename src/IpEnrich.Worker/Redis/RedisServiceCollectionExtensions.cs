using IpEnrich.Defender.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IpEnrich.Worker.Redis;

public static class RedisServiceCollectionExtensions
{
    /// <summary>Section <c>Redis</c>, the connection (none when no connection string: single-instance mode) and its health.</summary>
    public static IServiceCollection AddRedis(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<RedisOptions, RedisOptionsValidator>(configuration, RedisOptions.SectionName);
        services.TryAddSingleton<RedisConnection>();
        services.TryAddSingleton<RedisHealth>();
        return services;
    }
}
