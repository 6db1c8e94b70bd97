using System.Collections.Concurrent;
using Confluent.Kafka;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class PrepareWorkersTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Each_partition_starts_its_messages_in_consume_order_and_ends_its_lane_after_them()
    {
        var started = new ConcurrentDictionary<int, ConcurrentQueue<long>>();
        using var workers = new PrepareWorkers(2, item => started.GetOrAdd(item.Lane.Partition.Partition.Value, _ => new()).Enqueue(item.Source!.Offset.Value));
        var lanes = Enumerable.Range(0, 5).Select(p => new PartitionLane(new TopicPartition("in", p), 1_000)).ToArray();
        for (var offset = 0; offset < 200; offset++)
        {
            foreach (var lane in lanes)
            {
                Assert.True(workers.TryPost(lane, Message(lane, offset), consumedAt: 0));
            }
        }

        foreach (var lane in lanes)
        {
            workers.PostEnd(lane, Patience);
        }

        await workers.CompleteAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);
        foreach (var lane in lanes)
        {
            Assert.Equal(Enumerable.Range(0, 200).Select(o => (long)o), started[lane.Partition.Partition.Value]);
            Assert.True(lane.Reader.Completion.IsCompleted, $"lane {lane.Partition} was not completed by its end marker");
        }

        Assert.Equal(0, workers.Backlog);
    }

    [Fact]
    public async Task A_full_backlog_holds_the_consume_thread_until_the_loops_make_room()
    {
        using var gate = new SemaphoreSlim(0);
        using var workers = new PrepareWorkers(1, _ => gate.Wait(Patience)); // a slow preparation, on the loop's own thread
        var lane = new PartitionLane(new TopicPartition("in", 0), 10_000);
        for (var offset = 0; offset < PrepareWorkers.BacklogPerWorker; offset++)
        {
            Assert.True(workers.TryPost(lane, Message(lane, offset), consumedAt: 0));
        }

        Assert.False(workers.WaitForRoom(TimeSpan.Zero));
        gate.Release(PrepareWorkers.BacklogPerWorker / 2);
        Assert.True(workers.WaitForRoom(Patience));

        gate.Release(PrepareWorkers.BacklogPerWorker);
        await workers.CompleteAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);
        Assert.Equal(0, workers.Backlog);
    }

    [Fact]
    public async Task A_loop_with_no_room_left_refuses_a_message_instead_of_queueing_it()
    {
        using var gate = new SemaphoreSlim(0);
        var busy = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var workers = new PrepareWorkers(1, _ =>
        {
            busy.TrySetResult();
            gate.Wait(Patience);
        });
        var lane = new PartitionLane(new TopicPartition("in", 0), 100_000);
        Assert.True(workers.TryPost(lane, Message(lane, 0), consumedAt: 0));
        await busy.Task.WaitAsync(Patience, TestContext.Current.CancellationToken); // the loop holds the first message

        var queued = 0;
        while (queued < 10 * PrepareWorkers.BacklogPerWorker && workers.TryPost(lane, Message(lane, queued + 1), consumedAt: 0))
        {
            queued++;
        }

        // The channel's capacity: the whole backlog, plus room for the lanes' end items.
        Assert.Equal(2 * PrepareWorkers.BacklogPerWorker, queued);
        Assert.Equal(queued + 1, workers.Backlog);
        gate.Release(queued + 1);
        await workers.CompleteAsync().WaitAsync(Patience, TestContext.Current.CancellationToken);
    }

    private static ConsumeResult<byte[]?, byte[]?> Message(PartitionLane lane, long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(lane.Partition, offset),
        Message = new Message<byte[]?, byte[]?> { Value = [] },
    };
}
