using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

internal static class ProducerExtensions
{
    private static readonly TimeSpan QueueFullBackoff = TimeSpan.FromMilliseconds(5);

    /// <summary>Hands the record to librdkafka; while its local queue is full, waits for it to drain rather than fail.</summary>
    public static async ValueTask ProduceWhenQueuedAsync(this IProducer<byte[]?, byte[]?> producer, OutgoingRecord record,
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                producer.Produce(record.Topic, record.Message, onDelivery);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                await Task.Delay(QueueFullBackoff, cancellationToken);
            }
        }
    }
}
