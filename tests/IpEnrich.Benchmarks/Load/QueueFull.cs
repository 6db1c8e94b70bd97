using Confluent.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>Producing as fast as a loop can: while librdkafka's queue is full, its reports are served to make room.</summary>
internal static class QueueFull
{
    public static void Produce(IProducer<byte[]?, byte[]?> producer, string topic, Message<byte[]?, byte[]?> message,
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery)
    {
        while (true)
        {
            try
            {
                producer.Produce(topic, message, onDelivery);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                producer.Poll(TimeSpan.FromMilliseconds(5));
            }
        }
    }
}
