namespace IpEnrich.Worker.Kafka;

/// <summary>Section <c>Kafka</c> (DESIGN §6). <see cref="Settings"/> passes librdkafka keys through (SASL, SSL…).</summary>
public sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    public string? BootstrapServers { get; set; }

    public string? InputTopic { get; set; }

    public string? OutputTopic { get; set; }

    public string? DeadLetterTopic { get; set; }

    public string GroupId { get; set; } = "ipenrich";

    /// <summary>
    /// Exactly-once: outputs and input offsets commit in one Kafka transaction (read_committed readers see each input
    /// once). Off by default: at-least-once with idempotent produce is cheaper and duplicates only after a crash.
    /// </summary>
    public bool Transactions { get; set; }

    /// <summary>Transactional id of this instance; default <c>{GroupId}-{host name}</c>. Keep it stable across restarts (StatefulSet pod name).</summary>
    public string? TransactionalId { get; set; }

    /// <summary>How often the open transaction commits: the latency a read_committed reader adds.</summary>
    public TimeSpan TransactionCommitInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Raw librdkafka settings for both clients, e.g. <c>security.protocol</c>, <c>sasl.mechanism</c>.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Messages of one partition being processed or awaiting delivery before the partition is paused.</summary>
    public int MaxInFlightPerPartition { get; set; } = 512;

    /// <summary>
    /// Loops that prepare messages (parse, extract, look up, annotate) off the consume thread, each owning a share of
    /// the partitions; default one per core.
    /// </summary>
    public int PrepareWorkers { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Bytes of the input kept in the dead letter of a record Kafka refuses for good (too large for the producer or
    /// the topic): the rest is cut, and the dead letter says so in its headers.
    /// </summary>
    public int DeadLetterMaxBytes { get; set; } = 64 * 1024;

    /// <summary>How long the consumer may reach no broker before readiness reports Unhealthy.</summary>
    public TimeSpan DisconnectedGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a revoked or stopping partition may take to finish its in-flight messages.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
