using Confluent.Kafka;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>
/// A consumer without a broker for unit tests of the parts that steer one from the consume thread: records pauses,
/// resumes, stored and committed offsets and seeks. Consuming is not supported: tests hand messages over themselves.
/// </summary>
public sealed class RecordingConsumer : IConsumer<byte[]?, byte[]?>
{
    public List<string> Calls { get; } = [];

    public List<TopicPartitionOffset> Stored { get; } = [];

    /// <summary>What <see cref="Committed(IEnumerable{TopicPartition}, TimeSpan)"/> answers, per partition (unset when absent).</summary>
    public Dictionary<TopicPartition, long> CommittedOffsets { get; } = [];

    public void Pause(IEnumerable<TopicPartition> partitions) => Calls.AddRange(partitions.Select(p => $"pause {p.Partition.Value}"));

    public void Resume(IEnumerable<TopicPartition> partitions) => Calls.AddRange(partitions.Select(p => $"resume {p.Partition.Value}"));

    public void StoreOffset(TopicPartitionOffset offset) => Stored.Add(offset);

    public void StoreOffset(ConsumeResult<byte[]?, byte[]?> result) => StoreOffset(new TopicPartitionOffset(result.TopicPartition, result.Offset + 1));

    public List<TopicPartitionOffset> Commit()
    {
        Calls.Add("commit");
        return [];
    }

    public void Commit(IEnumerable<TopicPartitionOffset> offsets) => Calls.Add("commit " + string.Join(",", offsets.Select(o => $"{o.Partition.Value}@{o.Offset.Value}")));

    public void Commit(ConsumeResult<byte[]?, byte[]?> result) => throw new NotSupportedException();

    public List<TopicPartitionOffset> Committed(IEnumerable<TopicPartition> partitions, TimeSpan timeout) =>
        [.. partitions.Select(p => new TopicPartitionOffset(p, CommittedOffsets.TryGetValue(p, out var o) ? new Offset(o) : Offset.Unset))];

    public List<TopicPartitionOffset> Committed(TimeSpan timeout) => throw new NotSupportedException();

    public void Seek(TopicPartitionOffset tpo) => Calls.Add($"seek {tpo.Partition.Value}@{tpo.Offset}");

    public IConsumerGroupMetadata ConsumerGroupMetadata { get; } = new GroupMetadata();

    public ConsumeResult<byte[]?, byte[]?> Consume(int millisecondsTimeout) => throw new NotSupportedException();

    public ConsumeResult<byte[]?, byte[]?> Consume(CancellationToken cancellationToken = default) => throw new NotSupportedException();

    public ConsumeResult<byte[]?, byte[]?> Consume(TimeSpan timeout) => throw new NotSupportedException();

    public string MemberId => "recording";

    public List<TopicPartition> Assignment => [];

    public List<string> Subscription => [];

    public void Subscribe(IEnumerable<string> topics) => throw new NotSupportedException();

    public void Subscribe(string topic) => throw new NotSupportedException();

    public void Unsubscribe() => throw new NotSupportedException();

    public void Assign(TopicPartition partition) => throw new NotSupportedException();

    public void Assign(TopicPartitionOffset partition) => throw new NotSupportedException();

    public void Assign(IEnumerable<TopicPartitionOffset> partitions) => throw new NotSupportedException();

    public void Assign(IEnumerable<TopicPartition> partitions) => throw new NotSupportedException();

    public void IncrementalAssign(IEnumerable<TopicPartitionOffset> partitions) => throw new NotSupportedException();

    public void IncrementalAssign(IEnumerable<TopicPartition> partitions) => throw new NotSupportedException();

    public void IncrementalUnassign(IEnumerable<TopicPartition> partitions) => throw new NotSupportedException();

    public void Unassign() => throw new NotSupportedException();

    public Offset Position(TopicPartition partition) => throw new NotSupportedException();

    public List<TopicPartitionOffset> OffsetsForTimes(IEnumerable<TopicPartitionTimestamp> timestampsToSearch, TimeSpan timeout) => throw new NotSupportedException();

    public WatermarkOffsets GetWatermarkOffsets(TopicPartition topicPartition) => throw new NotSupportedException();

    public WatermarkOffsets QueryWatermarkOffsets(TopicPartition topicPartition, TimeSpan timeout) => throw new NotSupportedException();

    public void Close()
    {
    }

    public Handle Handle => throw new NotSupportedException();

    public string Name => "recording";

    public int AddBrokers(string brokers) => 0;

    public void SetSaslCredentials(string username, string password)
    {
    }

    public void Dispose()
    {
    }

    private sealed class GroupMetadata : IConsumerGroupMetadata;
}
