using Confluent.Kafka;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class TransactionalOutputTests
{
    private static readonly TimeSpan GateTimeout = TimeSpan.FromMilliseconds(20);

    private static OutgoingRecord Record(string topic) => new(topic, new Message<byte[]?, byte[]?>());

    [Fact]
    public async Task A_record_that_answers_no_input_offset_is_still_committed()
    {
        var producer = new RecordingProducer();
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        output.Start();

        // A late update: produced into the transaction, but no input offset comes with it.
        await output.ProduceAsync(null, 0, Record("updates"), _ => { }, TestContext.Current.CancellationToken);

        Assert.Equal(TransactionCommit.Committed, output.Commit(new RecordingConsumer(), GateTimeout));
        Assert.Equal(["init", "begin", "commit", "begin"], producer.Calls);
    }

    [Fact]
    public void An_empty_transaction_is_left_open_rather_than_committed()
    {
        var producer = new RecordingProducer();
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        output.Start();

        Assert.Equal(TransactionCommit.Committed, output.Commit(new RecordingConsumer(), GateTimeout));
        Assert.Equal(["init", "begin"], producer.Calls);
    }

    [Fact]
    public async Task A_commit_that_must_abort_discards_the_transaction_and_opens_the_next()
    {
        var producer = new RecordingProducer { FailNextCommit = new KafkaTxnRequiresAbortException(new Error(ErrorCode.InvalidTxnState, "injected")) };
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        output.Start();
        await output.ProduceAsync(null, 0, Record("updates"), _ => { }, TestContext.Current.CancellationToken);

        Assert.Equal(TransactionCommit.Aborted, output.Commit(new RecordingConsumer(), GateTimeout));
        Assert.Equal(["init", "begin", "abort", "begin"], producer.Calls);
        Assert.Equal("injected", output.LastAbortReason);

        // The aborted records are gone: nothing is left to commit.
        Assert.Equal(TransactionCommit.Committed, output.Commit(new RecordingConsumer(), GateTimeout));
        Assert.Equal(["init", "begin", "abort", "begin"], producer.Calls);
    }

    [Fact]
    public async Task A_producer_stuck_on_a_full_queue_postpones_the_commit_without_blocking_it()
    {
        var producer = new RecordingProducer { QueueRoom = 1 };
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        output.Start();
        await output.ProduceAsync(new TopicPartition("in", 0), 7, Record("out"), _ => { }, stop.Token);
        var stuck = output.ProduceAsync(new TopicPartition("in", 0), 8, Record("out"), _ => { }, stop.Token); // the queue is full: it waits inside the gate

        Assert.Equal(TransactionCommit.Postponed, output.Commit(new RecordingConsumer(), GateTimeout));
        Assert.DoesNotContain("commit", producer.Calls);

        await stop.CancelAsync(); // the lane is retired
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stuck);
    }
}
