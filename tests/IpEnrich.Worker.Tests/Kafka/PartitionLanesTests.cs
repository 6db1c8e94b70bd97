using System.Collections.Concurrent;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class PartitionLanesTests
{
    private static readonly TopicPartition Partition = new("in", 0);

    private static ConsumeResult<byte[]?, byte[]?> Message(long offset, int partition = 0, int bytes = 0) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(new TopicPartition("in", partition), offset),
        Message = new Message<byte[]?, byte[]?> { Value = new byte[bytes] },
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

        lane.Released(Message(0)); // offset 0 left the lane
        lanes.RetryWaiting();
        Assert.True(lane.HasWaiting);
        lane.Released(Message(1));
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
        using var prepare = new PrepareWorkers(1, item => item.Lane.Released(item.Source!));
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

    [Fact]
    public async Task Partitions_of_two_topics_with_one_number_each_take_their_own_messages()
    {
        var started = new ConcurrentQueue<(string Topic, PartitionLane Lane)>();
        using var prepare = new PrepareWorkers(1, item => started.Enqueue((item.Source!.Topic, item.Lane)));
        var lanes = new PartitionLanes(new RecordingConsumer(), prepare, capacity: 8, _ => Task.CompletedTask);
        var (first, second) = (new TopicPartition("in", 3), new TopicPartition("other", 3));
        lanes.Open([first, second]);
        static ConsumeResult<byte[]?, byte[]?> On(TopicPartition partition, long offset) =>
            new() { TopicPartitionOffset = new TopicPartitionOffset(partition, offset), Message = new() };

        Assert.True(lanes.Admit(On(first, 0), 0));
        Assert.True(lanes.Admit(On(second, 0), 0));
        lanes.Abandon(second); // leaves the other topic's partition of that number assigned
        Assert.True(lanes.Admit(On(first, 1), 0));
        Assert.False(lanes.Admit(On(second, 1), 0));

        await Eventually.UntilAsync(() => started.Count == 3, TimeSpan.FromSeconds(10), "the three admitted messages are started", TestContext.Current.CancellationToken);
        Assert.Equal([("in", first), ("other", second), ("in", first)], started.Select(s => (s.Topic, s.Lane.Partition)));
    }

    [Fact]
    public void A_lane_replaced_by_a_new_assignment_is_retired_so_its_produce_loop_ends()
    {
        using var prepare = new PrepareWorkers(1, _ => { });
        var lanes = new PartitionLanes(new RecordingConsumer(), prepare, capacity: 8, _ => Task.CompletedTask);
        lanes.Open([Partition]);
        var first = lanes.Find(Partition)!;

        lanes.Open([Partition]);

        Assert.True(first.IsRetired);
        Assert.False(lanes.Find(Partition)!.IsRetired);
    }

    [Fact]
    public void Drained_partitions_are_forgotten_even_when_a_rewind_during_the_drain_reopened_them()
    {
        using var prepare = new PrepareWorkers(1, _ => { });
        var lanes = new PartitionLanes(new RecordingConsumer(), prepare, capacity: 8, _ => Task.CompletedTask);
        lanes.Open([Partition]);
        var closing = lanes.BeginDrain([Partition], TimeSpan.FromSeconds(1));

        // The revocation's commit aborted: every lane is retired and reopened at the committed offsets.
        lanes.Open(lanes.RetireAll());
        var reopened = lanes.Find(Partition)!;
        lanes.Remove(closing);

        Assert.True(reopened.IsRetired);
        Assert.Empty(lanes.Partitions); // a later rewind must not seek a partition that is no longer assigned
    }

    [Fact]
    public void The_process_budget_pauses_partitions_once_spent_and_resumes_them_as_messages_leave()
    {
        var charge = InFlightBudget.PerMessageOverhead + 1_000;
        var budget = new InFlightBudget(2 * charge);
        var consumer = new RecordingConsumer();
        using var prepare = new PrepareWorkers(1, _ => { });
        var lanes = new PartitionLanes(consumer, prepare, capacity: 100, _ => Task.CompletedTask, budget);
        lanes.Open([new TopicPartition("in", 0), new TopicPartition("in", 1)]);

        lanes.Admit(Message(0, partition: 0, bytes: 1_000), 0);
        lanes.Admit(Message(0, partition: 1, bytes: 1_000), 0);
        lanes.Admit(Message(1, partition: 1, bytes: 1_000), 0); // the budget is spent, though the lane has room

        Assert.Equal(2 * charge, budget.Held);
        Assert.Equal(["pause 1"], consumer.Calls);

        lanes.Find(new TopicPartition("in", 0))!.Released(Message(0, partition: 0, bytes: 1_000));
        lanes.RetryWaiting();

        Assert.Equal(2 * charge, budget.Held); // the waiting message took the place
        Assert.Equal(["pause 1", "resume 1"], consumer.Calls);
    }

    [Fact]
    public void A_message_larger_than_the_whole_budget_passes_alone_and_only_alone()
    {
        var budget = new InFlightBudget(1024 * 1024);
        var consumer = new RecordingConsumer();
        using var prepare = new PrepareWorkers(1, _ => { });
        var lanes = new PartitionLanes(consumer, prepare, capacity: 100, _ => Task.CompletedTask, budget);
        lanes.Open([Partition]);
        var huge = Message(0, bytes: 2 * 1024 * 1024);

        lanes.Admit(huge, 0);
        lanes.Admit(Message(1, bytes: 10), 0);

        Assert.Equal(InFlightBudget.ChargeOf(huge), budget.Held);
        Assert.Equal(["pause 0"], consumer.Calls);
        lanes.Find(Partition)!.Released(huge);
        lanes.RetryWaiting();
        Assert.Equal(InFlightBudget.ChargeOf(Message(1, bytes: 10)), budget.Held);
    }

    [Fact]
    public void A_retired_lane_gives_its_budget_back_once_whether_its_messages_leave_before_or_after()
    {
        var budget = new InFlightBudget(64 * 1024 * 1024);
        var lane = new PartitionLane(Partition, 100, budget: budget);
        var (a, b, c) = (Message(0, bytes: 100), Message(1, bytes: 200), Message(2, bytes: 300));
        Assert.True(lane.TryReserve(a));
        Assert.True(lane.TryReserve(b));
        Assert.True(lane.TryReserve(c));

        lane.Released(a); // before the retirement: gives back its own share
        Assert.Equal(InFlightBudget.ChargeOf(b) + InFlightBudget.ChargeOf(c), budget.Held);
        lane.Retire(); // gives back what b and c held
        Assert.Equal(0, budget.Held);
        lane.Released(b); // after it: nothing twice
        lane.Retire();
        Assert.Equal(0, budget.Held);
    }
}
