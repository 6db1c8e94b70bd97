using Confluent.Kafka;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class OffsetStoreTests
{
    private static readonly TopicPartition Partition = new("in", 3);
    private static readonly Error Ok = new(ErrorCode.NoError);
    private static readonly Offset Appended = new(500); // where the broker put the output: any real offset

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

        store.Report(lane, 11, Ok, Appended);
        store.Apply();
        Assert.Empty(consumer.Stored); // 10 is still in flight

        store.Report(lane, 10, Ok, Appended);
        store.Report(lane, 12, Ok, Appended);
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

        store.Report(lost, 20, Ok, Appended);
        store.Report(lost, 21, Ok, Appended);
        store.Apply();
        Assert.Empty(consumer.Stored);

        store.Report(current, 21, Ok, Appended);
        store.Apply();
        Assert.Empty(consumer.Stored); // the current lane's own offset 20 is not acknowledged yet

        store.Report(current, 20, Ok, Appended);
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

        store.Report(lane, 0, Ok, Appended);
        store.Report(lane, 1, new Error(ErrorCode.MsgSizeTooLarge), Appended);
        store.Report(lane, 2, Ok, Appended);
        store.Apply();

        Assert.Equal(1, stops);
        Assert.Equal([new TopicPartitionOffset(Partition, 1)], consumer.Stored);
    }

    [Fact]
    public void A_delivery_acknowledged_without_an_offset_counts_and_is_logged_with_its_input()
    {
        // librdkafka's implicit acknowledgement: a later batch succeeded, so the earlier one is reported delivered at
        // Offset.Unset. It is a delivery (the offset moves on), but the log names the input, so a harness on a broker that
        // checks no sequence numbers (the mock) can tell an acknowledgement the broker never appended from a worker loss.
        var consumer = new RecordingConsumer();
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        var store = new OffsetStore(consumer, transactional: false, () => { }, logger);
        var lane = Lane(1, 720, 721, 722);

        store.Report(lane, 720, Ok, Offset.Unset);
        store.Report(lane, 721, Ok, Appended);
        store.Report(lane, 722, new Error(ErrorCode.Local_MsgTimedOut), Offset.Unset); // a failure is never an implicit acknowledgement
        store.Apply();

        Assert.Equal([new TopicPartitionOffset(Partition, 722)], consumer.Stored);
        Assert.Equal(2, store.Delivered);
        Assert.Equal(1, store.ImplicitlyAcknowledged);
        var implicitAck = Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1031);
        Assert.Contains("Output for in [[3]] @720 acknowledged implicitly", implicitAck.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void In_a_transaction_failed_deliveries_make_one_line_per_batch_none_once_the_abort_retired_their_lane_and_never_stop_the_worker()
    {
        var logger = new Microsoft.Extensions.Logging.Testing.FakeLogger();
        var stops = 0;
        var store = new OffsetStore(new RecordingConsumer(), transactional: true, () => stops++, logger);
        var lane = Lane(1, 10, 11, 12, 13);

        // A failed transaction purges every record it holds: one report each.
        store.Report(lane, 10, new Error(ErrorCode.Local_PurgeQueue), Offset.Unset);
        store.Report(lane, 11, new Error(ErrorCode.Local_PurgeQueue), Offset.Unset);
        store.Report(lane, 12, new Error(ErrorCode.Local_PurgeQueue), Offset.Unset);
        store.Apply();
        lane.Retire(); // the commit aborted, and logged it
        store.Report(lane, 13, new Error(ErrorCode.Local_PurgeQueue), Offset.Unset);
        store.Apply();

        Assert.Equal(0, stops);
        Assert.Equal(0, store.Delivered);
        var line = Assert.Single(logger.Collector.GetSnapshot()).Message;
        Assert.Contains("3 deliveries failed inside a transaction, the first for in [[3]] offset 10 (Local: Purged in queue)", line, StringComparison.Ordinal);
    }
}
