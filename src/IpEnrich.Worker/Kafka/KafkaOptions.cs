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

    /// <summary>Exactly-once through transactions (not yet implemented: start-up refuses it with a clear message).</summary>
    public bool Transactions { get; set; }

    /// <summary>Raw librdkafka settings for both clients, e.g. <c>security.protocol</c>, <c>sasl.mechanism</c>.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Messages of one partition being processed or awaiting delivery before the partition is paused.</summary>
    public int MaxInFlightPerPartition { get; set; } = 512;

    /// <summary>How long a revoked or stopping partition may take to finish its in-flight messages.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
