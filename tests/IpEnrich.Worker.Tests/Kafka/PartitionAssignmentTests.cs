using Confluent.Kafka;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class PartitionAssignmentTests
{
    private static readonly TopicPartition Partition = new("in", 0);

    [Fact]
    public void A_revocation_during_a_failed_transaction_aborts_it_at_once_instead_of_waiting_out_the_drain_time()
    {
        var producer = new RecordingProducer { FailNextCommit = RecordingProducer.AbortableCommitFailure() };
        var consumer = new RecordingConsumer();
        var logger = new FakeLogger();
        using var output = new TransactionalOutput(producer, TimeSpan.FromSeconds(1));
        using var publishing = new OutputProducer(producer, output, (_, _) => null, ex => throw ex);
        using var prepare = new PrepareWorkers(1, _ => { });

        // The first lane has the output of input 5 to produce; the transaction has failed, so librdkafka refuses it.
        var unproduced = 1;
        var lanes = new PartitionLanes(consumer, prepare, 8, async lane =>
        {
            try
            {
                if (Interlocked.Exchange(ref unproduced, 0) == 1)
                {
                    await output.ProduceAsync(lane.Partition, 5, new OutgoingRecord("out", new Message<byte[]?, byte[]?>()), _ => { }, lane.Retired);
                }
            }
            catch (OperationCanceledException)
            {
                // retired: input 5 is consumed again
            }
        });
        var coordinator = new ExactlyOnceCoordinator(output, lanes, consumer, new KafkaOptions(), new FakeTimeProvider(), logger);
        var assignment = new PartitionAssignment(lanes, new OffsetStore(consumer, transactional: true, () => { }, logger), publishing, coordinator,
            drainTimeout: TimeSpan.FromMinutes(5), logger);
        coordinator.Start();
        producer.TransactionFailed = true;
        assignment.OnAssigned([Partition]);

        assignment.OnRevoked([new TopicPartitionOffset(Partition, Offset.Unset)]);

        Assert.Equal(1, coordinator.Rewinds); // the failed transaction was aborted during the drain, which then ended
        Assert.DoesNotContain(logger.Collector.GetSnapshot(), r => r.Id.Id == 1005); // "did not finish within the drain time"
        Assert.Empty(lanes.Partitions);
        Assert.Empty(producer.Produced);
    }
}
