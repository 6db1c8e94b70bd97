using Confluent.Kafka;
using IpEnrich.Core.Telemetry;
using IpEnrich.Worker.Hosting;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Consume → process → produce for each message (kafkaflow's ConsumerWorker). On the partition's prepare loop it
/// starts the message's work in consume order: a record ready at once, in a lane with nothing queued, goes straight to
/// the output (no task on the warm path); anything else is queued, and the lane's produce loop hands it over in that
/// order. A record Kafka refuses for good is replaced by a bounded dead letter, so no message can stall its
/// partition. Each delivery report goes to the offset store, tagged with the lane that produced it.
/// </summary>
internal sealed class MessageHandler(AlertRecordBuilder records, OutputProducer output, OffsetStore offsets, UnpublishableRecords unpublishable,
    IpEnrichTelemetry telemetry, TimeProvider time, WorkerExit exit, ILogger logger)
{
    // The record itself, then its dead letter with a prefix of the input, then the dead letter without a value.
    private const int LastAttempt = 2;

    /// <summary>On the partition's prepare loop, in consume order.</summary>
    public void Start(PrepareItem item)
    {
        var (lane, source, consumedAt) = (item.Lane, item.Source!, item.ConsumedAt);
        if (lane.IsRetired)
        {
            lane.Released(source); // the partition is gone: its next owner consumes the message again
            return;
        }

        try
        {
            var work = records.BuildAsync(source, lane.Retired);
            Task<OutgoingRecord> queued;
            if (work.IsCompletedSuccessfully)
            {
                var record = work.Result;
                if (lane.NothingQueued && output.TryHandOver(HandoverOf(lane, source, record, consumedAt, attempt: 0, holdsPlace: true)))
                {
                    return; // the output gives the message's place back once librdkafka holds the record
                }

                queued = Task.FromResult(record); // ready, but behind its partition's earlier messages (or the exactly-once commit gate)
            }
            else
            {
                queued = work.AsTask();
            }

            if (!lane.Enqueue(new InFlight(source, queued, consumedAt)))
            {
                lane.Released(source); // retired meanwhile
            }
        }
        catch (Exception ex)
        {
            // Nothing after this message may be stored, and a loop that died would stall its partitions silently:
            // stop, and the restart re-consumes from the last commit.
            PipelineLog.PrepareFailed(logger, source.TopicPartitionOffset, ex);
            exit.Fail(ex is KafkaException ? WorkerExit.Kafka : WorkerExit.Unexpected);
        }
    }

    /// <summary>The lane's produce loop: awaits each message's work in consume order and hands it to the producer.</summary>
    public async Task ProduceInOrderAsync(PartitionLane lane)
    {
        var token = lane.Retired;
        ConsumeResult<byte[]?, byte[]?>? current = null;
        try
        {
            await foreach (var item in lane.Reader.ReadAllAsync(token))
            {
                current = item.Source;
                var record = await item.Work;
                var attempt = 0;
                if (unpublishable.TryTakeRefused(item.Source.TopicPartitionOffset, out var refusal, out var next))
                {
                    (record, attempt) = (Replace(item.Source, refusal, next), next); // the replay of an aborted transaction
                }

                await ProduceAsync(lane, item.Source, record, item.ConsumedAt, attempt, holdsPlace: true, token);
                lane.HandedOver();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Retired: its in-flight messages will be re-delivered to the partition's next owner.
        }
        catch (Exception ex)
        {
            PipelineLog.ProduceFailed(logger, current?.TopicPartitionOffset, ex);
            exit.Fail(ex is KafkaException ? WorkerExit.Kafka : WorkerExit.Unexpected);
        }
    }

    /// <param name="holdsPlace">The record holds its message's place in the lane, which the output gives back once the record is produced.</param>
    private async ValueTask ProduceAsync(PartitionLane lane, ConsumeResult<byte[]?, byte[]?> source, OutgoingRecord record, long consumedAt, int attempt,
        bool holdsPlace, CancellationToken cancellationToken)
    {
        var handover = HandoverOf(lane, source, record, consumedAt, attempt, holdsPlace);
        while (true)
        {
            try
            {
                await output.ProduceAsync(source.TopicPartition, source.Offset.Value, handover, cancellationToken);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (HasDeadLetterLeft(ex.Error, handover.Attempt))
            {
                handover = DeadLetterFor(handover, ex.Error); // exactly-once: librdkafka refused it at once, on this thread
            }
        }
    }

    /// <summary>
    /// On the producing thread, when librdkafka refuses a record before queueing it (larger than <c>message.max.bytes</c>):
    /// its dead letter, to produce in its place so the partition's order holds; null when there is none to try.
    /// </summary>
    public Handover? ReplaceRefused(Handover refused, Error error) =>
        refused is { Lane: not null, Source: not null } && HasDeadLetterLeft(error, refused.Attempt) ? DeadLetterFor(refused, error) : null;

    /// <summary>Kafka refused the record for good, and a smaller dead letter is left to try after <paramref name="attempt"/>.</summary>
    private static bool HasDeadLetterLeft(Error error, int attempt) => UnpublishableRecords.IsPermanent(error) && attempt < LastAttempt;

    private Handover DeadLetterFor(Handover refused, Error error)
    {
        var (lane, source, attempt) = (refused.Lane!, refused.Source!, refused.Attempt + 1);
        return HandoverOf(lane, source, Replace(source, error, attempt), refused.ConsumedAt, attempt, refused.HoldsPlace);
    }

    private Handover HandoverOf(PartitionLane lane, ConsumeResult<byte[]?, byte[]?> source, OutgoingRecord record, long consumedAt, int attempt, bool holdsPlace) =>
        new(record, DeliveryHandler(lane, source, consumedAt, attempt), lane, source, holdsPlace, consumedAt, attempt);

    private OutgoingRecord Replace(ConsumeResult<byte[]?, byte[]?> source, Error error, int attempt)
    {
        PipelineLog.Unpublishable(logger, source.TopicPartitionOffset, error.Reason);
        return unpublishable.DeadLetter(source, error, attempt);
    }

    /// <summary>
    /// Runs where the producer's reports are served (the producing thread, or the consume thread while it flushes):
    /// hands the report over and records the alert's time in the worker.
    /// </summary>
    private Action<DeliveryReport<byte[]?, byte[]?>> DeliveryHandler(PartitionLane lane, ConsumeResult<byte[]?, byte[]?> source, long consumedAt, int attempt) =>
        report =>
        {
            if (report.Error.IsError && HasDeadLetterLeft(report.Error, attempt))
            {
                if (output.IsTransactional)
                {
                    // The refusal dooms the open transaction: it aborts and replays, and the replay sends the dead letter.
                    unpublishable.RefusedInTransaction(source.TopicPartitionOffset, report.Error, attempt + 1);
                }
                else
                {
                    // The broker refused it for good (e.g. the topic's max.message.bytes): the offset waits for the dead letter.
                    _ = RepublishAsync(lane, source, consumedAt, report.Error, attempt + 1);
                    return;
                }
            }
            else if (report.Error.IsError && UnpublishableRecords.IsPermanent(report.Error) && output.IsTransactional)
            {
                // Even the dead letter without a value is refused: replaying would cycle for ever, so stop as at-least-once does.
                exit.Fail(WorkerExit.Kafka);
            }

            offsets.Report(lane, source.Offset.Value, report.Error, report.Offset);
            telemetry.AlertDuration.Record(time.GetElapsedTime(consumedAt).TotalSeconds);
        };

    private async Task RepublishAsync(PartitionLane lane, ConsumeResult<byte[]?, byte[]?> source, long consumedAt, Error error, int attempt)
    {
        await Task.Yield(); // off the thread serving the reports before producing again
        try
        {
            await ProduceAsync(lane, source, Replace(source, error, attempt), consumedAt, attempt, holdsPlace: false, lane.Retired);
        }
        catch (OperationCanceledException) when (lane.IsRetired)
        {
            // Retired meanwhile: the partition's next owner consumes the message again.
        }
        catch (Exception ex)
        {
            PipelineLog.ProduceFailed(logger, source.TopicPartitionOffset, ex);
            exit.Fail(WorkerExit.Kafka);
        }
    }
}
