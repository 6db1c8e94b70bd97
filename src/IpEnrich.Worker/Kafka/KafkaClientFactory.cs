using Confluent.Kafka;
using IpEnrich.Core.Extraction;
using IpEnrich.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Builds the pipeline's Kafka clients from <c>Kafka:*</c>: an idempotent (or transactional) producer and a consumer
/// that stores offsets only when told to. Each gets its own copy of <c>Kafka:Settings</c> with its role's settings
/// (<c>Kafka:ConsumerSettings</c>, <c>Kafka:ProducerSettings</c>) over them. Client errors are throttled; a fatal one stops the worker.
/// </summary>
public sealed class KafkaClientFactory
{
    /// <summary>
    /// Room for the enrichment property on top of the largest accepted alert: at most <c>Extraction:MaxIpsPerAlert</c>
    /// entries of a few hundred bytes, each with up to <c>Extraction:MaxPathsPerIp</c> paths. Larger outputs still go
    /// out, as bounded dead letters.
    /// </summary>
    public const int EnrichmentHeadroomBytes = 1024 * 1024;

    // librdkafka's own default, kept as the floor.
    private const int DefaultMessageMaxBytes = 1_000_000;

    private readonly KafkaOptions _options;
    private readonly int _maxAlertBytes;
    private readonly ConsumerLagMonitor _lag;
    private readonly BrokerConnectivity _connectivity;
    private readonly WorkerExit _exit;
    private readonly RepeatedErrorThrottle _errors;
    private readonly ILogger<KafkaClientFactory> _logger;

    public KafkaClientFactory(IOptions<KafkaOptions> options, IOptions<ExtractionOptions> extraction, ConsumerLagMonitor lag, BrokerConnectivity connectivity, WorkerExit exit, TimeProvider time,
        ILogger<KafkaClientFactory> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(extraction);
        _options = options.Value;
        _maxAlertBytes = extraction.Value.MaxAlertBytes;
        _lag = lag;
        _connectivity = connectivity;
        _exit = exit;
        _errors = new RepeatedErrorThrottle(time);
        _logger = logger;
    }

    /// <param name="reportsServedByCaller">
    /// Confluent's background poll off: the caller serves the reports, on the thread that produces (<see cref="ProducingThread"/>).
    /// </param>
    public IProducer<byte[]?, byte[]?> BuildProducer(bool reportsServedByCaller = false) =>
        new ProducerBuilder<byte[]?, byte[]?>(ProducerSettings(reportsServedByCaller))
            .SetErrorHandler((_, error) => OnClientError("producer", error))
            .Build();

    /// <summary>The settings <see cref="BuildProducer"/> builds the producer from.</summary>
    /// <param name="reportsServedByCaller">As for <see cref="BuildProducer"/>.</param>
    public ProducerConfig ProducerSettings(bool reportsServedByCaller = false)
    {
        var user = _options.ForProducer();
        var config = new ProducerConfig(user)
        {
            BootstrapServers = _options.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            CompressionType = CompressionType.Lz4,
            DeliveryReportFields = "none", // only the report's error is read: no copy of headers back from librdkafka per message
        };
        if (!user.ContainsKey("message.max.bytes"))
        {
            // An alert just under Extraction:MaxAlertBytes must fit once enriched; the broker's topic limit
            // (max.message.bytes) needs the same room (docs/operations.md).
            config.MessageMaxBytes = Math.Max(DefaultMessageMaxBytes, _maxAlertBytes + EnrichmentHeadroomBytes);
        }

        if (reportsServedByCaller)
        {
            config.EnableBackgroundPoll = false;
        }

        if (_options.Transactions)
        {
            config.TransactionalId = _options.TransactionalId ?? $"{_options.GroupId}-{Environment.MachineName}";
        }

        return config;
    }

    /// <summary>
    /// The consumer, with the pipeline's rebalance handler (called on the consume thread, inside Consume). The handler is
    /// looked up when a rebalance fires, because the parts it drives need this consumer to exist first.
    /// </summary>
    internal IConsumer<byte[]?, byte[]?> BuildConsumer(Func<IRebalanceHandler> rebalance)
    {
        var user = _options.ForConsumer();
        var config = new ConsumerConfig(user)
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = _options.GroupId,
            EnableAutoOffsetStore = false,
            EnableAutoCommit = !_options.Transactions, // transactions commit offsets themselves
            IsolationLevel = IsolationLevel.ReadCommitted,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
        };
        if (!user.ContainsKey("statistics.interval.ms"))
        {
            config.StatisticsIntervalMs = 5000; // lag and broker reachability
        }

        if (!user.ContainsKey("auto.commit.interval.ms"))
        {
            // Stored offsets reach the broker every second: after a crash, at most about a second's work is redone.
            config.AutoCommitIntervalMs = 1000;
        }

        var topic = _options.InputTopic!;
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetStatisticsHandler((consumer, json) =>
            {
                _lag.OnStatistics(json, topic);
                _ = Task.Run(() => _connectivity.OnStatistics(json)); // off the poll thread, as the lag is
            })
            .SetLogHandler((_, message) => PipelineLog.Librdkafka(_logger, message.Level, message.Facility, message.Message))
            .SetPartitionsAssignedHandler((_, partitions) => rebalance().OnAssigned(partitions))
            .SetPartitionsRevokedHandler((_, partitions) => rebalance().OnRevoked(partitions))
            .SetPartitionsLostHandler((_, partitions) => rebalance().OnLost(partitions))
            .SetErrorHandler((_, error) => OnClientError("consumer", error))
            .Build();
    }

    private void OnClientError(string client, Error error)
    {
        if (error.IsFatal)
        {
            PipelineLog.ClientError(_logger, client, error.Code, error.Reason, 0);
            _exit.Fail(WorkerExit.Kafka);
        }
        else if (_errors.ShouldLog(client, error.Code, out var suppressed))
        {
            PipelineLog.ClientError(_logger, client, error.Code, error.Reason, suppressed);
        }
    }
}

/// <summary>What the group's rebalances do to the pipeline; called on the consume thread.</summary>
internal interface IRebalanceHandler
{
    void OnAssigned(List<TopicPartition> partitions);

    void OnRevoked(List<TopicPartitionOffset> partitions);

    void OnLost(List<TopicPartitionOffset> partitions);
}
