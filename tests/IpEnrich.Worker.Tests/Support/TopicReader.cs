using Confluent.Kafka;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>Reads a topic from the beginning with a fresh group, for checking what the pipeline published.</summary>
public static class TopicReader
{
    /// <summary>Records until <paramref name="expected"/> arrived (90 s at most), then two more seconds to catch extras.</summary>
    public static List<ConsumeResult<TKey, TValue>> Drain<TKey, TValue>(string topic, string bootstrap, int expected) =>
        [.. DrainTimed<TKey, TValue>(topic, bootstrap, expected).Select(r => r.Record)];

    /// <summary>
    /// <see cref="Drain"/>, with the moment each record was read: read while the pipeline publishes, a record was
    /// published before then.
    /// </summary>
    public static List<(ConsumeResult<TKey, TValue> Record, DateTimeOffset ReadAt)> DrainTimed<TKey, TValue>(string topic, string bootstrap, int expected)
    {
        using var consumer = new ConsumerBuilder<TKey, TValue>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = "verify-" + Guid.NewGuid().ToString("N"),
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
            MaxPartitionFetchBytes = 16 * 1024 * 1024, // outputs of alerts near Extraction:MaxAlertBytes are over the 1 MiB default
        }).Build();
        consumer.Subscribe(topic);
        var records = new List<(ConsumeResult<TKey, TValue>, DateTimeOffset)>();
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (records.Count < expected && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } record)
            {
                records.Add((record, DateTimeOffset.UtcNow));
            }
        }

        // Anything beyond the expected count would be a duplicate: read a little longer to catch it.
        var grace = DateTime.UtcNow.AddSeconds(2);
        while (DateTime.UtcNow < grace)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } extra)
            {
                records.Add((extra, DateTimeOffset.UtcNow));
            }
        }

        consumer.Close();
        return records;
    }
}
