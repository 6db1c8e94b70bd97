using IpEnrich.Defender.Configuration;
using IpEnrich.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Kafka;

public static class KafkaServiceCollectionExtensions
{
    /// <summary>Section <c>Kafka</c> and the pipeline that consumes, prepares and publishes alerts, as a hosted service.</summary>
    public static IServiceCollection AddKafkaPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<KafkaOptions, KafkaOptionsValidator>(configuration, KafkaOptions.SectionName);
        services.AddSingleton<IValidateOptions<KafkaOptions>>(sp => new KafkaCrossSectionRules(sp.GetRequiredService<IOptions<HostOptions>>(), configuration));
        services.AddSingleton<IValidateOptions<KafkaOptions>, KafkaSettingsValidator>();
        services.AddSingleton<WorkerExit>();
        services.AddSingleton<ConsumerLagMonitor>();
        services.AddSingleton<BrokerConnectivity>();
        services.AddSingleton<KafkaClientFactory>();
        services.AddSingleton<KafkaPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<KafkaPipeline>());
        services.AddSingleton<PipelineHealthCheck>();
        return services;
    }
}
