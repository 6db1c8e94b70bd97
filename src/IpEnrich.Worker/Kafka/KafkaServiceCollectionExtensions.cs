using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Lookup;

namespace IpEnrich.Worker.Kafka;

public static class KafkaServiceCollectionExtensions
{
    /// <summary>The Kafka pipeline as a hosted service, on alert processing and the lookup service.</summary>
    public static IServiceCollection AddKafkaPipeline(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddAlertProcessing(configuration);
        services.AddOptions<KafkaOptions>().Bind(configuration.GetSection(KafkaOptions.SectionName))
            .Validate(o => !string.IsNullOrWhiteSpace(o.BootstrapServers), "Kafka:BootstrapServers is required")
            .Validate(o => !string.IsNullOrWhiteSpace(o.InputTopic), "Kafka:InputTopic is required")
            .Validate(o => !string.IsNullOrWhiteSpace(o.OutputTopic), "Kafka:OutputTopic is required")
            .Validate(o => !string.IsNullOrWhiteSpace(o.DeadLetterTopic), "Kafka:DeadLetterTopic is required")
            .Validate(o => o.InputTopic != o.OutputTopic && o.InputTopic != o.DeadLetterTopic, "Kafka:InputTopic must differ from Kafka:OutputTopic and Kafka:DeadLetterTopic")
            .Validate(o => o.TransactionCommitInterval >= TimeSpan.FromMilliseconds(10) && o.TransactionCommitInterval <= TimeSpan.FromSeconds(30), "Kafka:TransactionCommitInterval must be between 00:00:00.010 and 00:00:30")
            .Validate(o => o.MaxInFlightPerPartition is >= 1 and <= 100_000, "Kafka:MaxInFlightPerPartition must be between 1 and 100000")
            .Validate(o => o.PrepareWorkers is >= 1 and <= 256, "Kafka:PrepareWorkers must be between 1 and 256")
            .ValidateOnStart();
        services.AddSingleton<WorkerExit>();
        services.AddSingleton<ConsumerLagMonitor>();
        services.AddSingleton<KafkaClientFactory>();
        services.AddSingleton<KafkaPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<KafkaPipeline>());
        return services;
    }
}
