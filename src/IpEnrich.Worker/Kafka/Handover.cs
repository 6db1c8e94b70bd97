using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// A record on its way to the producer, with what its delivery report goes to. A record that answers a consumed
/// message carries the message and its lane: it is not produced once the lane is retired (the partition's next owner
/// consumes the message again), and when it <see cref="HoldsPlace"/>, the message's place in the lane and its budget
/// are given back once librdkafka holds the record, not before. <see cref="Attempt"/> counts the dead letters tried in
/// its place so far.
/// </summary>
internal readonly struct Handover
{
    /// <summary>A record that answers no consumed message (a late update).</summary>
    public Handover(OutgoingRecord record, Action<DeliveryReport<byte[]?, byte[]?>> onDelivery) => (Record, OnDelivery) = (record, onDelivery);

    /// <summary>A record that answers <paramref name="source"/>, consumed at <paramref name="consumedAt"/> into <paramref name="lane"/>.</summary>
    public Handover(OutgoingRecord record, Action<DeliveryReport<byte[]?, byte[]?>> onDelivery, PartitionLane lane, ConsumeResult<byte[]?, byte[]?> source,
        bool holdsPlace, long consumedAt, int attempt)
        : this(record, onDelivery) => (Lane, Source, HoldsPlace, ConsumedAt, Attempt) = (lane, source, holdsPlace, consumedAt, attempt);

    public OutgoingRecord Record { get; }

    public Action<DeliveryReport<byte[]?, byte[]?>> OnDelivery { get; }

    public PartitionLane? Lane { get; }

    public ConsumeResult<byte[]?, byte[]?>? Source { get; }

    /// <summary>False for a dead letter sent after the broker refused its record: that record gave the place back.</summary>
    public bool HoldsPlace { get; }

    public long ConsumedAt { get; }

    public int Attempt { get; }

    /// <summary>Not a record: completed once everything handed over before it has been produced.</summary>
    public TaskCompletionSource? FlushMarker { get; private init; }

    public bool IsForRetiredLane => Lane is { IsRetired: true };

    public static Handover Flush(TaskCompletionSource reached) => new(default, static _ => { }) { FlushMarker = reached };

    /// <summary>The record is in librdkafka's hands, or will never be: the lane's place and budget go back.</summary>
    public void Release()
    {
        if (HoldsPlace)
        {
            Lane?.Released(Source!);
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
