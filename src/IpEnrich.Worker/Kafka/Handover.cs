using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// A record on its way to the producer, with what its delivery report goes to. A record that answers a consumed
/// message of a lane carries the lane: it is not produced once the lane is retired (the partition's next owner consumes
/// the message again), and when it also carries the message's <see cref="Reserved"/> place, the place and its budget
/// are given back once librdkafka holds the record, not before.
/// </summary>
internal readonly struct Handover(OutgoingRecord record, Action<DeliveryReport<byte[]?, byte[]?>> onDelivery, PartitionLane? lane = null,
    ConsumeResult<byte[]?, byte[]?>? reserved = null)
{
    public OutgoingRecord Record { get; } = record;

    public Action<DeliveryReport<byte[]?, byte[]?>> OnDelivery { get; } = onDelivery;

    public PartitionLane? Lane { get; } = lane;

    /// <summary>The consumed message whose place in <see cref="Lane"/> this record holds; null when it holds none (a late update, a dead letter sent after a refusal).</summary>
    public ConsumeResult<byte[]?, byte[]?>? Reserved { get; } = reserved;

    /// <summary>Not a record: completed once everything handed over before it has been produced.</summary>
    public TaskCompletionSource? FlushMarker { get; private init; }

    public bool IsForRetiredLane => Lane is { IsRetired: true };

    public static Handover Flush(TaskCompletionSource reached) => new(default, static _ => { }) { FlushMarker = reached };

    /// <summary>The record is in librdkafka's hands, or will never be: the lane's place and budget go back.</summary>
    public void Release()
    {
        if (Reserved is not null)
        {
            Lane?.Released(Reserved);
        }
    }

    /// <summary>Tells the record's owner that librdkafka refused it before queueing it, as its delivery report would.</summary>
    public void Refuse(Error error) => OnDelivery(new DeliveryReport<byte[]?, byte[]?>
    {
        Error = error,
        Status = PersistenceStatus.NotPersisted,
        Message = Record.Message,
        TopicPartitionOffset = new TopicPartitionOffset(Record.Topic, Partition.Any, Offset.Unset),
    });
}
