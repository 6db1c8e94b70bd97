using Confluent.Kafka;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>Writes a test's input to a topic, and fails the test loudly when the cluster does not take every message.</summary>
public static class TopicWriter
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Writes <paramref name="messages"/> in their order, each to the partition its key picks, and waits until the
    /// cluster holds them all; returns where each landed, in the same order.
    /// </summary>
    public static Task<DeliveryResult<TKey, TValue>[]> WriteAsync<TKey, TValue>(string topic, string bootstrap, IEnumerable<Message<TKey, TValue>> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return WriteAsync(bootstrap, messages.Select(message => (new TopicPartition(topic, Partition.Any), message)));
    }

    /// <summary>The same, each message to the partition given with it.</summary>
    public static async Task<DeliveryResult<TKey, TValue>[]> WriteAsync<TKey, TValue>(string bootstrap,
        IEnumerable<(TopicPartition To, Message<TKey, TValue> Message)> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        using var producer = new ProducerBuilder<TKey, TValue>(new ProducerConfig
        {
            BootstrapServers = bootstrap,
            EnableIdempotence = true, // a retried batch cannot land behind a later one
            LingerMs = 5,
            MessageMaxBytes = 20_000_000, // inputs near and over Extraction:MaxAlertBytes
            MessageTimeoutMs = (int)Timeout.TotalMilliseconds,
        }).Build();

        // Each call queues its message before it returns, so a partition gets them in this order.
        var sent = messages.Select(m => producer.ProduceAsync(m.To, m.Message)).ToArray();
        try
        {
            return await Task.WhenAll(sent).WaitAsync(Timeout + TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        }
        catch (ProduceException<TKey, TValue> ex)
        {
            throw new InvalidOperationException(
                $"The cluster did not take the test's input ({Written(sent)} of {sent.Length} written to {ex.DeliveryResult.Topic}): {ex.Error.Reason}", ex);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException($"Gave up after {Timeout.TotalSeconds:0} s writing the test's input: {Written(sent)} of {sent.Length} written.", ex);
        }
    }

    private static int Written<TKey, TValue>(Task<DeliveryResult<TKey, TValue>>[] sent) => sent.Count(t => t.IsCompletedSuccessfully);
}
