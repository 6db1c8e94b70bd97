using Confluent.Kafka;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class OffsetStoreTests
{
    private static readonly TopicPartition Partition = new("in", 3);
    private static readonly Error Ok = new(ErrorCode.NoError);

    private static PartitionLane Lane(long generation, params long[] consumed)
    {
        var lane = new PartitionLane(Partition, 100, generation);
        foreach (var offset in consumed)
        {
            lane.Tracker.Consumed(offset);
        }

        return lane;
    }

    [Fact]
    public void Only_the_contiguous_acknowledged_prefix_is_stored_once_per_batch()
    {
        var consumer = new RecordingConsumer();
        var store = new OffsetStore(consumer, transactional: false, () => { }, NullLogger.Instance);
        var lane = Lane(1, 10, 11, 12);

        store.Report(lane, 11, Ok);
        store.Apply();
        Assert.Empty(consumer.Stored); // 10 is still in flight

        store.Report(lane, 10, Ok);
        store.Report(lane, 12, Ok);
        store.Apply();
        Assert.Equal([new TopicPartitionOffset(Partition, 13)], consumer.Stored);
        Assert.Equal(3, store.Delivered);
    }

    [Fact]
    public void Acknowledgements_from_a_retired_lane_never_move_the_partitions_next_lane()
    {
        var consumer = new RecordingConsumer();
        var store = new OffsetStore(consumer, transactional: false, () => { }, NullLogger.Instance);
        var lost = Lane(1, 20, 21);
        lost.Retire(); // the partition was lost; its new owner (this worker again) re-consumes from offset 20
        var current = Lane(2, 20, 21);

        store.Report(lost, 20, Ok);
        store.Report(lost, 21, Ok);
        store.Apply();
        Assert.Empty(consumer.Stored);

        store.Report(current, 21, Ok);
        store.Apply();
        Assert.Empty(consumer.Stored); // the current lane's own offset 20 is not acknowledged yet

        store.Report(current, 20, Ok);
        store.Apply();
        Assert.Equal([new TopicPartitionOffset(Partition, 22)], consumer.Stored);
    }

    [Fact]
    public void A_failed_delivery_stops_the_worker_and_nothing_after_it_is_stored()
    {
        var consumer = new RecordingConsumer();
        var stops = 0;
        var store = new OffsetStore(consumer, transactional: false, () => stops++, NullLogger.Instance);
        var lane = Lane(1, 0, 1, 2);

        store.Report(lane, 0, Ok);
        store.Report(lane, 1, new Error(ErrorCode.MsgSizeTooLarge));
        store.Report(lane, 2, Ok);
        store.Apply();

        Assert.Equal(1, stops);
        Assert.Equal([new TopicPartitionOffset(Partition, 1)], consumer.Stored);
    }
}
