using Confluent.Kafka;
using IpEnrich.Worker.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The worker's own Kafka consumer and producer, built by its <see cref="KafkaClientFactory"/> from the same
/// <c>Kafka:*</c> settings a worker gets: the bare copy differs from the worker only in what it does per message.
/// </summary>
internal sealed class WorkerClients : IDisposable
{
    private readonly IHost _host;

    private WorkerClients(IHost host, IConsumer<byte[]?, byte[]?> consumer, IProducer<byte[]?, byte[]?> producer) =>
        (_host, Consumer, Producer) = (host, consumer, producer);

    public IConsumer<byte[]?, byte[]?> Consumer { get; }

    public IProducer<byte[]?, byte[]?> Producer { get; }

    public static WorkerClients Build(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var host = FactoryHost(settings);
        var factory = host.Services.GetRequiredService<KafkaClientFactory>();
        return new WorkerClients(host, factory.BuildConsumer(() => NoRebalanceWork.Instance), factory.BuildProducer());
    }

    /// <summary>The settings the worker's producer is built from, its producing thread serving the reports; no client is made.</summary>
    public static ProducerConfig ProducerSettings(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        using var host = FactoryHost(settings);
        return host.Services.GetRequiredService<KafkaClientFactory>().ProducerSettings(reportsServedByCaller: true);
    }

    /// <summary>The worker's registrations, never started: only the client factory and its options are resolved.</summary>
    private static IHost FactoryHost(IEnumerable<KeyValuePair<string, string?>> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddKafkaPipeline(builder.Configuration);
        return builder.Build();
    }

    public void Dispose()
    {
        Consumer.Dispose();
        Producer.Dispose();
        _host.Dispose();
    }

    /// <summary>The copy keeps no per-partition state: the client assigns what the group gives it.</summary>
    private sealed class NoRebalanceWork : IRebalanceHandler
    {
        public static readonly NoRebalanceWork Instance = new();

        public void OnAssigned(List<TopicPartition> partitions)
        {
        }

        public void OnRevoked(List<TopicPartitionOffset> partitions)
        {
        }

        public void OnLost(List<TopicPartitionOffset> partitions)
        {
        }
    }
}
