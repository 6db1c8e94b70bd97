using IpEnrich.Defender.Configuration;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Pipeline;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Kafka;

public static class KafkaServiceCollectionExtensions
{
    /// <summary>The Kafka pipeline as a hosted service, on alert processing and the lookup service.</summary>
    public static IServiceCollection AddKafkaPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAlertProcessing(configuration);
        // Read raw, not through IOptions<EnrichmentOptions>: that section's own problems are reported on their own.
        var updatesTopic = configuration[$"{EnrichmentOptions.SectionName}:{nameof(EnrichmentOptions.UpdatesTopic)}"];
        services.AddOptions<KafkaOptions>().BindChecked(configuration.GetSection(KafkaOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.BootstrapServers), "Kafka:BootstrapServers is required")
            .Validate(o => !string.IsNullOrWhiteSpace(o.InputTopic), "Kafka:InputTopic is required")
            .Validate(o => !string.IsNullOrWhiteSpace(o.OutputTopic), "Kafka:OutputTopic is required")
            .Validate(o => !string.IsNullOrWhiteSpace(o.DeadLetterTopic), "Kafka:DeadLetterTopic is required")
            .Validate(o => o.InputTopic != o.OutputTopic && o.InputTopic != o.DeadLetterTopic, "Kafka:InputTopic must differ from Kafka:OutputTopic and Kafka:DeadLetterTopic")
            .Validate(o => string.IsNullOrWhiteSpace(updatesTopic) || (updatesTopic != o.InputTopic && updatesTopic != o.OutputTopic && updatesTopic != o.DeadLetterTopic),
                "Enrichment:UpdatesTopic must differ from Kafka:InputTopic, Kafka:OutputTopic and Kafka:DeadLetterTopic")
            .Validate(o => o.TransactionCommitInterval >= TimeSpan.FromMilliseconds(10) && o.TransactionCommitInterval <= TimeSpan.FromSeconds(30), "Kafka:TransactionCommitInterval must be between 10ms and 30s")
            // The drain runs inside the host's shutdown: a longer one is cut off before it publishes and commits.
            .Validate<IOptions<HostOptions>>((o, host) => o.DrainTimeout >= TimeSpan.FromMilliseconds(100) && o.DrainTimeout < host.Value.ShutdownTimeout,
                "Kafka:DrainTimeout must be at least 100ms and below ShutdownTimeout (default 30s)")
            .Validate(o => o.MaxInFlightPerPartition is >= 1 and <= 100_000, "Kafka:MaxInFlightPerPartition must be between 1 and 100000")
            .Validate(o => o.PrepareWorkers is >= 1 and <= 256, "Kafka:PrepareWorkers must be between 1 and 256")
            .Validate(o => o.DisconnectedGrace >= TimeSpan.FromSeconds(1) && o.DisconnectedGrace <= TimeSpan.FromHours(1), "Kafka:DisconnectedGrace must be between 1s and 1h")
            .Validate(o => o.DeadLetterMaxBytes is >= 0 and <= 1024 * 1024, "Kafka:DeadLetterMaxBytes must be between 0 and 1048576")
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<KafkaOptions>, KafkaSettingsValidator>();
        services.AddSingleton<WorkerExit>();
        services.AddSingleton<ConsumerLagMonitor>();
        services.AddSingleton<BrokerConnectivity>();
        services.AddSingleton<KafkaClientFactory>();
        services.AddSingleton<KafkaPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<KafkaPipeline>());
        return services;
    }
}
