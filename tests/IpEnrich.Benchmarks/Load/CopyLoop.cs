using System.Collections.Concurrent;
using Confluent.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The bare copy: consume → produce the same bytes, offsets stored only after delivery (as the worker stores them), no
/// enrichment. Runs on the calling thread; used in the harness (feeding topics) and as the measured copy process.
/// With a <see cref="ContractShape"/> it sends the worker's output shape instead of the same bytes.
/// </summary>
internal static class CopyLoop
{
    /// <summary>Copies to <paramref name="to"/> until <paramref name="stop"/> (given the deliveries so far) says so.</summary>
    /// <param name="onFirst">Called when the first message has been consumed (the start of a timed window).</param>
    public static void Run(IConsumer<byte[]?, byte[]?> consumer, IProducer<byte[]?, byte[]?> producer, string to, Func<long, bool> stop, Action? onFirst = null,
        ContractShape? shape = null)
    {
        long delivered = 0;
        var first = true;
        var stored = new ConcurrentQueue<TopicPartitionOffset>();
        var latest = new Dictionary<TopicPartition, Offset>();
        while (!stop(Interlocked.Read(ref delivered)))
        {
            // Delivery reports arrive on the producer's thread; the consumer's offsets are stored from this one, each
            // partition's latest once per pass, as the worker stores watermarks per batch: the floor should not carry
            // a StoreOffset call per message.
            while (stored.TryDequeue(out var offset))
            {
                if (!latest.TryGetValue(offset.TopicPartition, out var seen) || offset.Offset > seen)
                {
                    latest[offset.TopicPartition] = offset.Offset;
                }
            }

            foreach (var (partition, offset) in latest)
            {
                consumer.StoreOffset(new TopicPartitionOffset(partition, offset));
            }

            latest.Clear();

            if (consumer.Consume(TimeSpan.FromMilliseconds(50)) is not { } result)
            {
                continue;
            }

            if (first)
            {
                first = false;
                onFirst?.Invoke();
            }

            var next = new TopicPartitionOffset(result.TopicPartition, result.Offset + 1);
            var message = shape?.Shape(result.Message)
                ?? new Message<byte[]?, byte[]?> { Key = result.Message.Key, Value = result.Message.Value, Headers = result.Message.Headers };
            while (true)
            {
                try
                {
                    producer.Produce(to, message, _ =>
                    {
                        Interlocked.Increment(ref delivered);
                        stored.Enqueue(next);
                    });
                    break;
                }
                catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(5));
                }
            }
        }
    }
}
