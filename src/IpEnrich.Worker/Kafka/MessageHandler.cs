using Confluent.Kafka;
using IpEnrich.Core.Telemetry;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Consume → process → produce for each message (kafkaflow's ConsumerWorker). On the partition's prepare loop it
/// starts the message's work in consume order: a record ready at once, in a lane with nothing queued, goes straight to
/// the producer (no thread hop on the warm path); anything else is queued, and the lane's produce loop publishes it in
/// that order. Each delivery report goes to the offset store, tagged with the lane that produced it.
/// </summary>
internal sealed class MessageHandler(AlertRecordBuilder records, OutputProducer output, OffsetStore offsets, IpEnrichTelemetry telemetry,
    TimeProvider time, Action stop, ILogger logger)
{
    /// <summary>On the partition's prepare loop, in consume order.</summary>
    public void Start(PrepareItem item)
    {
        var (lane, source, consumedAt) = (item.Lane, item.Source!, item.ConsumedAt);
        if (lane.IsRetired)
        {
            lane.Released(); // the partition is gone: its next owner consumes the message again
            return;
        }

        try
        {
            var work = records.BuildAsync(source, lane.Retired);
            Task<OutgoingRecord> queued;
            if (work.IsCompletedSuccessfully)
            {
                var record = work.Result;
                if (lane.NothingQueued && output.TryProduceNow(record, DeliveryHandler(lane, source, consumedAt)))
                {
                    lane.Released();
                    return;
                }

                queued = Task.FromResult(record); // ready, but behind its partition's earlier messages
            }
            else
            {
                queued = work.AsTask();
            }

            if (!lane.Enqueue(new InFlight(source, queued, consumedAt)))
            {
                lane.Released(); // retired meanwhile
            }
        }
        catch (Exception ex)
        {
            // E.g. the producer refused the record outright (not a full queue). Nothing after it may be stored, and a
            // loop that died would stall its partitions silently: stop, and the restart re-consumes from the last commit.
            PipelineLog.PrepareFailed(logger, source.TopicPartitionOffset, ex);
            stop();
        }
    }

    /// <summary>The lane's produce loop: awaits each message's work in consume order and hands it to the producer.</summary>
    public async Task ProduceInOrderAsync(PartitionLane lane)
    {
        var token = lane.Retired;
        try
        {
            await foreach (var item in lane.Reader.ReadAllAsync(token))
            {
                var record = await item.Work;
                await output.ProduceAsync(item.Source.TopicPartition, item.Source.Offset.Value, record, DeliveryHandler(lane, item.Source, item.ConsumedAt), token);
                lane.Produced();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Retired: its in-flight messages will be re-delivered to the partition's next owner.
        }
    }

    /// <summary>Runs on librdkafka's delivery thread: hands the report over and records the alert's time in the worker.</summary>
    private Action<DeliveryReport<byte[]?, byte[]?>> DeliveryHandler(PartitionLane lane, ConsumeResult<byte[]?, byte[]?> source, long consumedAt)
    {
        var offset = source.Offset.Value;
        return report =>
        {
            offsets.Report(lane, offset, report.Error);
            telemetry.AlertDuration.Record(time.GetElapsedTime(consumedAt).TotalSeconds);
        };
    }
}
