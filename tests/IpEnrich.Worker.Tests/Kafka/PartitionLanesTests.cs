using System.Collections.Concurrent;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class PartitionLanesTests
{
    private static readonly TopicPartition Partition = new("in", 0);

    private static ConsumeResult<byte[]?, byte[]?> Message(long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(Partition, offset),
        Message = new Message<byte[]?, byte[]?> { Value = [] },
    };

    [Fact]
    public async Task Messages_consumed_while_the_partition_is_paused_wait_in_order_and_none_is_dropped()
    {
        var started = new ConcurrentQueue<long>();
        var consumer = new RecordingConsumer();
        using var prepare = new PrepareWorkers(1, item => started.Enqueue(item.Source!.Offset.Value));
        var lanes = new PartitionLanes(consumer, prepare, capacity: 1, _ => Task.CompletedTask);
        lanes.Open([Partition]);
        var lane = lanes.Find(Partition)!;

        Assert.True(lanes.Admit(Message(0), 0)); // takes the lane's only place
        Assert.True(lanes.Admit(Message(1), 0)); // no room: waits, and the partition is paused
        Assert.True(lanes.Admit(Message(2), 0)); // fetched before the pause took effect: must wait behind offset 1
        Assert.Equal(["pause 0"], consumer.Calls);

        lane.Released(); // offset 0 left the lane
        lanes.RetryWaiting();
        Assert.True(lane.HasWaiting);
        lane.Released();
        lanes.RetryWaiting();
        Assert.False(lane.HasWaiting);
        Assert.Equal(["pause 0", "resume 0"], consumer.Calls);

        await Eventually.UntilAsync(() => started.Count == 3, TimeSpan.FromSeconds(10), "the three messages are started", TestContext.Current.CancellationToken);
        Assert.Equal([0L, 1, 2], started);
    }

    [Fact]
    public void Each_assignment_of_a_partition_gets_a_new_lane_generation_and_the_old_lane_is_retired()
    {
        using var prepare = new PrepareWorkers(1, _ => { });
        var lanes = new PartitionLanes(new RecordingConsumer(), prepare, capacity: 8, _ => Task.CompletedTask);
        lanes.Open([Partition]);
        var first = lanes.Find(Partition)!;

        lanes.Abandon(Partition);
        lanes.Open([Partition]);
        var second = lanes.Find(Partition)!;

        Assert.True(first.IsRetired);
        Assert.False(second.IsRetired);
        Assert.True(second.Generation > first.Generation);
        Assert.False(lanes.Admit(new ConsumeResult<byte[]?, byte[]?> { TopicPartitionOffset = new TopicPartitionOffset("in", 5, 0), Message = new() }, 0));
    }

    [Fact]
    public async Task Draining_drops_waiting_messages_and_ends_each_lane_after_the_posted_ones()
    {
        using var prepare = new PrepareWorkers(1, item => item.Lane.Released());
        var lanes = new PartitionLanes(new RecordingConsumer(), prepare, capacity: 1, lane => lane.Reader.Completion);
        lanes.Open([Partition]);
        var lane = lanes.Find(Partition)!;
        lanes.Admit(Message(0), 0);
        lanes.Admit(Message(1), 0); // waits: the lane's one place may still be taken

        var closing = lanes.BeginDrain([Partition], TimeSpan.FromSeconds(10));

        Assert.Equal([lane], closing);
        Assert.False(lane.HasWaiting); // re-delivered to the next owner instead
        await lane.Completion.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        lanes.Remove(closing);
        Assert.Null(lanes.Find(Partition));
        Assert.True(lane.IsRetired);
    }
}
