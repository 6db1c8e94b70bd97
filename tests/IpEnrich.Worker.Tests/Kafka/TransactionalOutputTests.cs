using Confluent.Kafka;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class TransactionalOutputTests
{
    private static readonly TimeSpan GateTimeout = TimeSpan.FromMilliseconds(20);

    private static readonly TopicPartition Input = new("in", 0);

    private static OutgoingRecord Record(string topic) => new(topic, new Message<byte[]?, byte[]?>());

    private static RecordingProducer WhoseNextCommitMustAbort() =>
        new() { FailNextCommit = RecordingProducer.AbortableCommitFailure() };

    private static async Task StartWithOutputOfInput7Async(TransactionalOutput output, CancellationToken lane)
    {
        output.Start();
        await output.ProduceAsync(Input, 7, Record("out"), _ => { }, lane);
    }

    private static TransactionCommit Commit(TransactionalOutput output, Action? retireProducers = null) =>
        output.Commit(new RecordingConsumer(), GateTimeout, retireProducers ?? (() => { }));

    [Fact]
    public async Task A_record_that_answers_no_input_offset_is_still_committed()
    {
        var producer = new RecordingProducer();
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        output.Start();

        // A late update: produced into the transaction, but no input offset comes with it.
        await output.ProduceAsync(null, 0, Record("updates"), _ => { }, TestContext.Current.CancellationToken);

        Assert.Equal(TransactionCommit.Committed, Commit(output));
        Assert.Equal(["init", "begin", "commit", "begin"], producer.Calls);
    }

    [Fact]
    public void An_empty_transaction_is_left_open_rather_than_committed()
    {
        var producer = new RecordingProducer();
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        output.Start();

        Assert.Equal(TransactionCommit.Committed, Commit(output));
        Assert.Equal(["init", "begin"], producer.Calls);
    }

    [Fact]
    public async Task A_commit_that_must_abort_discards_the_transaction_and_opens_the_next()
    {
        var producer = WhoseNextCommitMustAbort();
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        output.Start();
        await output.ProduceAsync(null, 0, Record("updates"), _ => { }, TestContext.Current.CancellationToken);

        Assert.Equal(TransactionCommit.Aborted, Commit(output, retireProducers: () => producer.Calls.Add("retire")));
        Assert.Equal(["init", "begin", "retire", "abort", "begin"], producer.Calls);
        Assert.Equal("injected", output.LastAbortReason);

        // The aborted records are gone: nothing is left to commit.
        Assert.Equal(TransactionCommit.Committed, Commit(output));
        Assert.Equal(["init", "begin", "retire", "abort", "begin"], producer.Calls);
    }

    [Fact]
    public async Task A_lane_waiting_at_the_gate_through_an_aborted_commit_puts_nothing_into_the_next_transaction()
    {
        var producer = WhoseNextCommitMustAbort();
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        using var lane = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await StartWithOutputOfInput7Async(output, lane.Token);

        // The lane's next output, of input 8, arrives while the commit holds the gate; input 8 is replayed after the rewind.
        Task<Task<bool>>? waiting = null;
        producer.DuringCommit = () => waiting = output.ProduceAsync(Input, 8, Record("out"), _ => { }, lane.Token);

        Assert.Equal(TransactionCommit.Aborted, Commit(output, retireProducers: lane.Cancel));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting!);
        Assert.Equal(["out"], producer.Produced);
        Assert.Equal(TransactionCommit.Committed, Commit(output)); // the next transaction holds nothing
        Assert.Equal(["init", "begin", "send-offsets", "abort", "begin"], producer.Calls);
        Assert.Equal([new TopicPartitionOffset(Input, 8)], Assert.Single(producer.SentOffsets)); // only the aborted one's
    }

    [Fact]
    public async Task A_lane_whose_record_a_failed_transaction_refuses_waits_outside_the_gate_and_is_retired_by_the_abort()
    {
        var producer = WhoseNextCommitMustAbort();
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        using var lane = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await StartWithOutputOfInput7Async(output, lane.Token);

        producer.TransactionFailed = true; // e.g. AddPartitionsToTxn refused: librdkafka takes no more records
        var refused = output.ProduceAsync(Input, 8, Record("out"), _ => { }, lane.Token);

        Assert.False(refused.IsCompleted); // the lane neither fails (which would stop the worker) nor holds the gate
        Assert.Equal(TransactionCommit.Aborted, Commit(output, retireProducers: lane.Cancel));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => refused); // input 8 is replayed after the rewind
        Assert.Equal(["out"], producer.Produced);
    }

    [Fact]
    public async Task A_record_without_an_input_that_a_failed_transaction_refuses_goes_into_the_next_transaction()
    {
        var producer = WhoseNextCommitMustAbort();
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        output.Start();
        producer.TransactionFailed = true;
        var update = output.ProduceAsync(null, 0, Record("updates"), _ => { }, TestContext.Current.CancellationToken);
        Assert.False(update.IsCompleted);

        // Nothing went into the failed transaction, yet the commit runs and aborts it.
        Assert.Equal(TransactionCommit.Aborted, Commit(output));
        var committed = await update;
        Assert.Equal(["updates"], producer.Produced);
        Assert.Equal(TransactionCommit.Committed, Commit(output));
        Assert.True(await committed);
        Assert.Equal(["init", "begin", "abort", "begin", "commit", "begin"], producer.Calls);
    }

    [Fact]
    public async Task A_record_waiting_on_a_failed_transaction_when_the_pipeline_stops_fails_as_not_produced()
    {
        var producer = new RecordingProducer();
        var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        output.Start();
        producer.TransactionFailed = true;
        var update = output.ProduceAsync(null, 0, Record("updates"), _ => { }, TestContext.Current.CancellationToken);

        output.Dispose();

        var refused = await Assert.ThrowsAsync<KafkaException>(() => update); // a late update is kept for the next try
        Assert.Equal(ErrorCode.Local_Destroy, refused.Error.Code);
        Assert.Empty(producer.Produced);
    }

    [Fact]
    public async Task A_producer_stuck_on_a_full_queue_postpones_the_commit_without_blocking_it()
    {
        var producer = new RecordingProducer { QueueRoom = 1 };
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        output.Start();
        await output.ProduceAsync(Input, 7, Record("out"), _ => { }, stop.Token);
        var stuck = output.ProduceAsync(Input, 8, Record("out"), _ => { }, stop.Token); // the queue is full: it waits inside the gate

        Assert.Equal(TransactionCommit.Postponed, Commit(output));
        Assert.DoesNotContain("commit", producer.Calls);

        await stop.CancelAsync(); // the lane is retired
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stuck);
    }
}
