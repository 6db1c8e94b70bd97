using IpEnrich.Defender.Configuration;
using IpEnrich.Defender.Http;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Quota;

public static class QuotaServiceCollectionExtensions
{
    /// <summary>
    /// Section <c>Quota</c> and its gate: shared by every replica through Redis, else the process's own. The Defender
    /// client's retries draw on the same gate.
    /// </summary>
    public static IServiceCollection AddQuota(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<QuotaOptions, QuotaOptionsValidator>(configuration, QuotaOptions.SectionName);
        services.TryAddSingleton<IQuotaGate>(sp => sp.GetRequiredService<RedisConnection>().IsConfigured
            ? ActivatorUtilities.CreateInstance<RedisQuotaGate>(sp)
            : new LocalQuotaGate(sp.GetRequiredService<IOptions<QuotaOptions>>(), sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton<IRetryQuota, GateRetryQuota>();
        return services;
    }
}
