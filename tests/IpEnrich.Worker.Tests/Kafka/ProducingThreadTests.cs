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

    private static ConsumeResult<byte[]?, byte[]?> Message(long offset) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset(Partition, offset),
        Message = new Message<byte[]?, byte[]?> { Value = new byte[10] },
    };

    private readonly ConcurrentQueue<Exception> _failures = new();

    public void Dispose() => Assert.Empty(_failures); // a delivery handler's failure is the pipeline's, never lost

    private static OutgoingRecord Record(string topic) => new(topic, new Message<byte[]?, byte[]?>());

    [Fact]
    public void Records_are_produced_in_the_order_handed_over_and_their_reports_are_served_on_the_producing_thread()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true };
        var reportedOn = new ConcurrentQueue<string?>();
        using var thread = new ProducingThread(producer, _failures.Enqueue);

        for (var i = 0; i < 200; i++)
        {
            thread.HandOver(new Handover(Record($"out-{i}"), _ => reportedOn.Enqueue(Thread.CurrentThread.Name)));
        }

        Assert.True(thread.Flush(Patience));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => $"out-{i}"), producer.Produced);
        Assert.Equal(200, reportedOn.Count);
        Assert.All(reportedOn, name => Assert.Equal("ipenrich-producing", name)); // made and freed on one thread
    }

    [Fact]
    public async Task A_record_keeps_its_messages_place_in_the_lane_until_librdkafka_holds_it()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true, QueueRoom = 0 }; // librdkafka's queue is full
        var lane = new PartitionLane(Partition, capacity: 1);
        using var thread = new ProducingThread(producer, _failures.Enqueue);
        var first = Message(0);
        Assert.True(lane.TryReserve(first));

        thread.HandOver(new Handover(Record("out"), _ => { }, lane, first));
        await Task.Delay(50); // the thread is retrying meanwhile
        Assert.False(lane.TryReserve(Message(1))); // still held: nothing more is consumed into the lane

        producer.QueueRoom = 1;
        await Eventually.UntilAsync(() => lane.TryReserve(Message(1)), Patience, "the produced record gave its place back");
        Assert.Equal(["out"], producer.Produced);
    }

    [Fact]
    public void A_record_of_a_retired_lane_is_not_produced_and_gives_its_place_back()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true };
        var budget = new InFlightBudget(10_000_000);
        var lane = new PartitionLane(Partition, capacity: 1, budget: budget);
        using var thread = new ProducingThread(producer, _failures.Enqueue);
        var message = Message(0);
        Assert.True(lane.TryReserve(message));
        lane.Retire();

        var reported = false;
        thread.HandOver(new Handover(Record("out"), _ => reported = true, lane, message));

        Assert.True(thread.Flush(Patience));
        Assert.Empty(producer.Produced); // the partition's next owner consumes the message again
        Assert.False(reported);
        Assert.Equal(0, budget.Held);
    }

    [Fact]
    public void A_record_librdkafka_refuses_before_queueing_gets_a_failed_report_for_its_owner_to_act_on()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true, TransactionFailed = true }; // Produce throws Local_State
        var reports = new ConcurrentQueue<DeliveryReport<byte[]?, byte[]?>>();
        var lane = new PartitionLane(Partition, capacity: 1);
        using var thread = new ProducingThread(producer, _failures.Enqueue);
        var message = Message(0);
        Assert.True(lane.TryReserve(message));

        thread.HandOver(new Handover(Record("out"), reports.Enqueue, lane, message));

        Assert.True(thread.Flush(Patience));
        var report = Assert.Single(reports);
        Assert.Equal(ErrorCode.Local_State, report.Error.Code);
        Assert.Equal(PersistenceStatus.NotPersisted, report.Status);
        Assert.Equal("out", report.Topic);
        Assert.True(lane.TryReserve(Message(1))); // the place went back: a dead letter, if any, holds none
    }

    [Fact]
    public async Task A_delivery_handler_that_throws_is_reported_and_the_thread_keeps_serving()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true };
        var failures = new ConcurrentQueue<Exception>();
        using var thread = new ProducingThread(producer, failures.Enqueue);
        var delivered = 0;

        thread.HandOver(new Handover(Record("bad"), _ => throw new InvalidOperationException("handler bug")));
        await Eventually.UntilAsync(() => !failures.IsEmpty, Patience, "the failure reached the pipeline");
        thread.HandOver(new Handover(Record("good"), _ => Interlocked.Increment(ref delivered)));

        await Eventually.UntilAsync(() => Volatile.Read(ref delivered) == 1, Patience, "the next record's report was served");
        Assert.Equal("handler bug", Assert.Single(failures).Message);
    }

    [Fact]
    public void Disposing_gives_back_the_places_of_records_never_produced()
    {
        var producer = new RecordingProducer { DeliverOnPoll = true, QueueRoom = 0 };
        var budget = new InFlightBudget(10_000_000);
        var lane = new PartitionLane(Partition, capacity: 2, budget: budget);
        var thread = new ProducingThread(producer, _failures.Enqueue);
        var (a, b) = (Message(0), Message(1));
        Assert.True(lane.TryReserve(a) && lane.TryReserve(b));
        thread.HandOver(new Handover(Record("out"), _ => { }, lane, a));
        thread.HandOver(new Handover(Record("out"), _ => { }, lane, b));

        thread.Dispose();

        Assert.Empty(producer.Produced); // their messages are consumed again after the restart
        Assert.Equal(0, budget.Held);
    }
}
