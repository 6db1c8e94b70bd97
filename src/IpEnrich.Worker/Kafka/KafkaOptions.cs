using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Kafka;

/// <summary>Section <c>Kafka</c>. <see cref="Settings"/> passes librdkafka keys through (SASL, SSL…).</summary>
public sealed class KafkaOptions : IValidatableObject
{
    public const string SectionName = "Kafka";

    [Required(ErrorMessage = "{0} is required")]
    public string? BootstrapServers { get; set; }

    [Required(ErrorMessage = "{0} is required")]
    public string? InputTopic { get; set; }

    [Required(ErrorMessage = "{0} is required")]
    public string? OutputTopic { get; set; }

    [Required(ErrorMessage = "{0} is required")]
    public string? DeadLetterTopic { get; set; }

    [Required(ErrorMessage = "{0} must not be empty")]
    public string GroupId { get; set; } = "ipenrich";

    /// <summary>
    /// Exactly-once: outputs and input offsets commit in one Kafka transaction (read_committed readers see each input
    /// once). Off by default: at-least-once with idempotent produce is cheaper and duplicates only after a crash.
    /// </summary>
    public bool Transactions { get; set; }

    /// <summary>Transactional id of this instance; default <c>{GroupId}-{host name}</c>. Keep it stable across restarts (StatefulSet pod name).</summary>
    public string? TransactionalId { get; set; }

    /// <summary>How often the open transaction commits: the latency a read_committed reader adds.</summary>
    [DurationRange("10ms", "30s")]
    public TimeSpan TransactionCommitInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Raw librdkafka settings for both clients, e.g. <c>security.protocol</c>, <c>sasl.mechanism</c>.</summary>
    public IDictionary<string, string> Settings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Raw librdkafka settings for the consumer only (<c>fetch.wait.max.ms</c>, <c>queued.max.messages.kbytes</c>…), over <see cref="Settings"/>.</summary>
    public IDictionary<string, string> ConsumerSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Raw librdkafka settings for the producer only (<c>linger.ms</c>, <c>batch.size</c>…), over <see cref="Settings"/>.</summary>
    public IDictionary<string, string> ProducerSettings { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>What the consumer gets: <see cref="Settings"/> with <see cref="ConsumerSettings"/> over them.</summary>
    public Dictionary<string, string> ForConsumer() => Merge(ConsumerSettings);

    /// <summary>What the producer gets: <see cref="Settings"/> with <see cref="ProducerSettings"/> over them.</summary>
    public Dictionary<string, string> ForProducer() => Merge(ProducerSettings);

    // A new dictionary per client: Confluent's config classes write into the one they wrap.
    private Dictionary<string, string> Merge(IDictionary<string, string> role)
    {
        var merged = new Dictionary<string, string>(Settings, StringComparer.Ordinal);
        foreach (var (key, value) in role)
        {
            merged[key] = value;
        }

        return merged;
    }

    /// <summary>Messages of one partition being processed or awaiting delivery before the partition is paused.</summary>
    [Range(1, 100_000)]
    public int MaxInFlightPerPartition { get; set; } = 512;

    /// <summary>
    /// Bytes of consumed messages the process holds between consume and produce, over all its partitions (each
    /// message counts its key and value plus 16 KiB of the worker's own state); partitions pause beyond it. One message
    /// larger than the whole budget still passes, alone.
    /// </summary>
    [Range(typeof(long), "1048576", "68719476736")]
    public long MaxInFlightBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>
    /// Loops that prepare messages (parse, extract, look up, annotate) off the consume thread, each owning a share of
    /// the partitions; default one per core.
    /// </summary>
    [Range(1, 256)]
    public int PrepareWorkers { get; set; } = Environment.ProcessorCount;

    /// <summary>
    /// Bytes of the input kept in the dead letter of a record Kafka refuses for good (too large for the producer or
    /// the topic): the rest is cut, and the dead letter says so in its headers.
    /// </summary>
    [Range(0, 1024 * 1024)]
    public int DeadLetterMaxBytes { get; set; } = 64 * 1024;

    /// <summary>How long the consumer may reach no broker before readiness reports Unhealthy.</summary>
    [DurationRange("1s", "1h")]
    public TimeSpan DisconnectedGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a revoked or stopping partition may take to finish its in-flight messages.</summary>
    /// <remarks>Also below <c>ShutdownTimeout</c> (<see cref="KafkaCrossSectionRules"/>).</remarks>
    [DurationRange("100ms", "1h")]
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (InputTopic is not null && (InputTopic == OutputTopic || InputTopic == DeadLetterTopic))
        {
            yield return new ValidationResult($"{SectionName}:InputTopic must differ from {SectionName}:OutputTopic and {SectionName}:DeadLetterTopic");
        }
    }
}

/// <summary>Checks <see cref="KafkaOptions"/> at start, generated from its attributes and rules.</summary>
[OptionsValidator]
internal sealed partial class KafkaOptionsValidator : IValidateOptions<KafkaOptions>;
