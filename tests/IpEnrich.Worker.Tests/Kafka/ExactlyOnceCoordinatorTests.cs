using Confluent.Kafka;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class ExactlyOnceCoordinatorTests : IDisposable
{
    private static readonly TopicPartition Partition = new("in", 0);

    private readonly FakeTimeProvider _time = new();
    private readonly RecordingProducer _producer = new();
    private readonly RecordingConsumer _consumer = new();
    private readonly TransactionalOutput _output;
    private readonly PrepareWorkers _prepare = new(1, _ => { });
    private readonly PartitionLanes _lanes;
    private readonly ExactlyOnceCoordinator _coordinator;

    public ExactlyOnceCoordinatorTests()
    {
        _output = new TransactionalOutput(_producer, TimeSpan.FromSeconds(1));
        _lanes = new PartitionLanes(_consumer, _prepare, 16, _ => Task.CompletedTask);
        var options = new KafkaOptions { TransactionCommitInterval = TimeSpan.FromMilliseconds(200) };
        _coordinator = new ExactlyOnceCoordinator(_output, _lanes, _consumer, options, _time, NullLogger.Instance);
        _coordinator.Start();
    }

    private Task<Task<bool>> ProduceLateUpdateAsync() =>
        _output.ProduceAsync(null, 0, new OutgoingRecord("updates", new Message<byte[]?, byte[]?>()), _ => { }, TestContext.Current.CancellationToken);

    [Fact]
    public async Task Every_record_produced_is_committed_within_the_commit_interval_of_the_time_provider()
    {
        await ProduceLateUpdateAsync();

        _coordinator.CommitIfDue();
        _time.Advance(TimeSpan.FromMilliseconds(199));
        _coordinator.CommitIfDue();
        Assert.DoesNotContain("commit", _producer.Calls);

        _time.Advance(TimeSpan.FromMilliseconds(1));
        _coordinator.CommitIfDue();
        Assert.Equal(["init", "begin", "commit", "begin"], _producer.Calls);
    }

    [Fact]
    public async Task An_aborted_commit_rewinds_every_partition_to_its_committed_offset_on_a_fresh_lane()
    {
        _lanes.Open([Partition]);
        var before = _lanes.Find(Partition)!;
        _consumer.CommittedOffsets[Partition] = 42;
        await ProduceLateUpdateAsync();
        _producer.FailNextCommit = RecordingProducer.AbortableCommitFailure();

        _time.Advance(TimeSpan.FromSeconds(1));
        _coordinator.CommitIfDue();

        Assert.Equal(1, _coordinator.Rewinds);
        Assert.True(before.IsRetired);
        Assert.True(_lanes.Find(Partition)!.Generation > before.Generation);
        Assert.Equal(["seek 0@42", "resume 0"], _consumer.Calls);
    }

    [Fact]
    public async Task A_failed_transaction_is_aborted_at_the_next_poll_without_waiting_for_the_commit_interval()
    {
        _lanes.Open([Partition]);
        var lane = _lanes.Find(Partition)!;
        _producer.FailNextCommit = RecordingProducer.AbortableCommitFailure();
        _producer.TransactionFailed = true;
        var refused = _output.ProduceAsync(Partition, 5, new OutgoingRecord("out", new Message<byte[]?, byte[]?>()), _ => { }, lane.Retired);

        _coordinator.CommitIfDue(); // no time has passed

        Assert.Equal(1, _coordinator.Rewinds);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => refused); // its lane was retired: input 5 is replayed
    }

    public void Dispose()
    {
        _output.Dispose();
        _prepare.Dispose();
    }
}
