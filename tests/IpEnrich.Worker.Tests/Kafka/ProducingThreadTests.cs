using System.Collections.Concurrent;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class ProducingThreadTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly TopicPartition Partition = new("in", 0);
    private static readonly Func<Handover, Error, Handover?> NoReplacement = (_, _) => null;

    private readonly ConcurrentQueue<Exception> _failures = new();

    public void Dispose() => Assert.Empty(_failures); // a failure of the producing thread is the pipeline's, never lost

    private static ConsumeResult<byte[]?, byte[]?> Message(long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(Partition, offset),
        Message = new Message<byte[]?, byte[]?> { Value = new byte[10] },
    };

    private static OutgoingRecord Record(string topic) => new(topic, new Message<byte[]?, byte[]?>());

    private static Handover HoldingPlace(string topic, PartitionLane lane, ConsumeResult<byte[]?, byte[]?> source, Action<DeliveryReport<byte[]?, byte[]?>>? onDelivery = null,
        int attempt = 0) =>
        new(Record(topic), onDelivery ?? (_ => { }), lane, source, holdsPlace: true, consumedAt: 0, attempt);

    private ProducingThread Start(RecordingProducer producer, Func<Handover, Error, Handover?>? replaceRefused = null,
        int queueHighMark = ProducingThread.QueueHighMark) =>
        new(producer, replaceRefused ?? NoReplacement, _failures.Enqueue, queueHighMark);

    [Fact]
    public async Task Records_are_produced_in_the_order_handed_over_and_their_reports_are_served_on_the_producing_thread()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true };
        var reportedOn = new ConcurrentQueue<string?>();
        using var thread = Start(producer);

        for (var i = 0; i < 200; i++)
        {
            thread.HandOver(new Handover(Record($"out-{i}"), _ => reportedOn.Enqueue(Thread.CurrentThread.Name)));
        }

        // No flush: a flush serves the reports still due on its caller's thread, as librdkafka's does.
        await Eventually.UntilAsync(() => reportedOn.Count == 200, Patience, "every report was served");
        Assert.All(reportedOn, name => Assert.Equal("ipenrich-producing", name)); // made and freed on one thread
        Assert.True(thread.Flush(Patience));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"out-{i}"), producer.Produced);
    }

    [Fact]
    public async Task A_record_keeps_its_messages_place_in_the_lane_until_librdkafka_holds_it()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true, QueueRoom = 0 }; // librdkafka's queue is full
        var lane = new PartitionLane(Partition, capacity: 1);
        using var thread = Start(producer);
        var first = Message(0);
        Assert.True(lane.TryReserve(first));

        thread.HandOver(HoldingPlace("out", lane, first));
        await Task.Delay(50); // the thread is retrying meanwhile
        Assert.False(lane.TryReserve(Message(1))); // still held: nothing more is consumed into the lane

        producer.QueueRoom = 1;
        await Eventually.UntilAsync(() => lane.TryReserve(Message(1)), Patience, "the produced record gave its place back");
        Assert.Equal(["out"], producer.Produced);
    }

    [Fact]
    public void A_producing_thread_that_falls_behind_holds_the_consume_thread_until_it_has_produced_half_its_queue()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true, QueueRoom = 0 }; // it produces nothing for now
        using var thread = Start(producer, queueHighMark: 4);
        for (var i = 0; i < 5; i++)
        {
            thread.HandOver(new Handover(Record($"out-{i}"), _ => { })); // the first may already be in librdkafka's retries
        }

        Assert.False(thread.WaitForRoom(TimeSpan.Zero));

        producer.QueueRoom = 100;
        Assert.True(thread.WaitForRoom(Patience));
        Assert.True(thread.Flush(Patience));
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"out-{i}"), producer.Produced);
    }

    [Fact]
    public void A_record_of_a_retired_lane_is_not_produced_and_gives_its_place_back()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true };
        var budget = new InFlightBudget(10_000_000);
        var lane = new PartitionLane(Partition, capacity: 1, budget: budget);
        using var thread = Start(producer);
        var message = Message(0);
        Assert.True(lane.TryReserve(message));
        lane.Retire();

        var reported = false;
        thread.HandOver(HoldingPlace("out", lane, message, _ => reported = true));

        Assert.True(thread.Flush(Patience));
        Assert.Empty(producer.Produced); // the partition's next owner consumes the message again
        Assert.False(reported);
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public void A_record_refused_before_queueing_is_replaced_in_its_place_so_the_partitions_order_holds()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true, OversizedTopic = "too-big" };
        var lane = new PartitionLane(Partition, capacity: 3);
        var refusals = new ConcurrentQueue<(int Attempt, ErrorCode Code)>();
        using var thread = Start(producer, (refused, error) =>
        {
            refusals.Enqueue((refused.Attempt, error.Code));
            return HoldingPlace("dead-letter", refused.Lane!, refused.Source!, attempt: refused.Attempt + 1);
        });
        var messages = new[] { Message(0), Message(1), Message(2) };
        Assert.All(messages, m => Assert.True(lane.TryReserve(m)));

        thread.HandOver(HoldingPlace("out", lane, messages[0]));
        thread.HandOver(HoldingPlace("too-big", lane, messages[1]));
        thread.HandOver(HoldingPlace("out", lane, messages[2]));

        Assert.True(thread.Flush(Patience));
        Assert.Equal(["out", "dead-letter", "out"], producer.Produced);
        Assert.Equal([(0, ErrorCode.MsgSizeTooLarge)], refusals);
        Assert.True(lane.TryReserve(Message(3)) && lane.TryReserve(Message(4)) && lane.TryReserve(Message(5))); // every place went back once
        Assert.False(lane.TryReserve(Message(6)));
    }

    [Fact]
    public void A_refusal_with_nothing_to_replace_the_record_reaches_its_owner_as_a_failed_report()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true, TransactionFailed = true }; // Produce throws Local_State
        var reports = new ConcurrentQueue<DeliveryReport<byte[]?, byte[]?>>();
        var lane = new PartitionLane(Partition, capacity: 1);
        using var thread = Start(producer);
        var message = Message(0);
        Assert.True(lane.TryReserve(message));

        thread.HandOver(HoldingPlace("out", lane, message, reports.Enqueue));

        Assert.True(thread.Flush(Patience));
        var report = Assert.Single(reports);
        Assert.Equal(ErrorCode.Local_State, report.Error.Code);
        Assert.Equal(PersistenceStatus.NotPersisted, report.Status);
        Assert.Equal("out", report.Topic);
        Assert.True(lane.TryReserve(Message(1))); // the place went back
    }

    [Fact]
    public async Task A_failure_while_serving_reports_is_reported_and_the_thread_keeps_serving()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true, FailNextPoll = new ObjectDisposedException("handle") };
        var failures = new ConcurrentQueue<Exception>();
        using var thread = new ProducingThread(producer, NoReplacement, failures.Enqueue);
        var delivered = 0;

        await Eventually.UntilAsync(() => !failures.IsEmpty, Patience, "the failure reached the pipeline");
        thread.HandOver(new Handover(Record("out"), _ => Interlocked.Increment(ref delivered)));

        await Eventually.UntilAsync(() => Volatile.Read(ref delivered) == 1, Patience, "the next record's report was served, for the stop's flush");
        Assert.IsType<ObjectDisposedException>(Assert.Single(failures));
    }

    [Fact]
    public void Disposing_gives_back_the_places_of_records_never_produced()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true, QueueRoom = 0 };
        var budget = new InFlightBudget(10_000_000);
        var lane = new PartitionLane(Partition, capacity: 2, budget: budget);
        var thread = Start(producer);
        var (a, b) = (Message(0), Message(1));
        Assert.True(lane.TryReserve(a) && lane.TryReserve(b));
        thread.HandOver(HoldingPlace("out", lane, a));
        thread.HandOver(HoldingPlace("out", lane, b));

        thread.Dispose();

        Assert.Empty(producer.Produced); // their messages are consumed again after the restart
        Assert.Equal(0, budget.Held);
    }
}
