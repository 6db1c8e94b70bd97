using System.Collections.Concurrent;
using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Delivery reports → stored offsets (kafkaflow's OffsetManager and OffsetCommitter). Reports arrive on whichever
/// thread serves the producer's reports and are applied on the consume thread, each to the lane that produced it: a lane's contiguous
/// acknowledged prefix is stored once per batch, and reports of a retired lane are ignored, so an acknowledgement
/// from a partition's previous assignment never moves its next one. A failed delivery stops the worker before anything
/// after it is stored. In exactly-once mode the transaction carries the offsets: reports are only counted.
/// </summary>
internal sealed class OffsetStore(IConsumer<byte[]?, byte[]?> consumer, bool transactional, Action stop, ILogger logger)
{
    private readonly ConcurrentQueue<Delivery> _reports = new();
    private readonly Dictionary<TopicPartition, long> _watermarks = []; // consume thread: next offset to store, per partition
    private long _delivered;
    private long _implicit;

    /// <summary>Outputs and dead letters the broker acknowledged.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Of <see cref="Delivered"/>, those librdkafka acknowledged implicitly (see <see cref="Report"/>).</summary>
    public long ImplicitlyAcknowledged => Interlocked.Read(ref _implicit);

    /// <summary>
    /// Where the producer's reports are served: one record's outcome, for the lane that produced it. <paramref name="appendedAt"/> is the
    /// output's log offset; a success without one (<see cref="Offset.Unset"/>) is librdkafka's implicit acknowledgement:
    /// an earlier request failed with an uncertain outcome and a later batch of the same partition succeeded, which a
    /// broker checking idempotent sequence numbers only accepts after the earlier one. It is logged with its input, because
    /// a broker that checks no sequences (librdkafka's mock, for non-transactional producers) may never have appended it.
    /// </summary>
    public void Report(PartitionLane lane, long offset, Error error, Offset appendedAt) =>
        _reports.Enqueue(new Delivery(lane, offset, error, IsImplicitAcknowledgement(error, appendedAt)));

    /// <summary>A delivery report of success without the record's log offset: librdkafka's implicit acknowledgement.</summary>
    public static bool IsImplicitAcknowledgement(Error error, Offset appendedAt) => !error.IsError && appendedAt == Offset.Unset;

    /// <summary>On the consume thread: applies the reports so far and stores each partition's new watermark.</summary>
    public void Apply()
    {
        try
        {
            Track();
        }
        finally
        {
            StoreWatermarks();
        }
    }

    /// <summary>On the consume thread: commits the stored offsets now (before a partition goes, or at stop).</summary>
    public void CommitStored()
    {
        try
        {
            consumer.Commit();
        }
        catch (KafkaException ex) when (ex.Error.Code is ErrorCode.Local_NoOffset or ErrorCode.Local_State or ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration)
        {
            // Nothing stored to commit, or the group moved on: the next owner resumes from the last commit.
        }
    }

    private void Track()
    {
        Delivery? failedInTransaction = null;
        var failedCount = 0;
        while (_reports.TryDequeue(out var report))
        {
            var partition = report.Lane.Partition;
            if (report.Error.IsError && transactional)
            {
                // The transaction holding it cannot commit: the commit aborts and rewinds, so nothing is skipped. A
                // failed transaction purges every record it holds, so the reports are summed up in one line per batch;
                // a retired lane's outputs are discarded or replayed anyway (an abort, which is logged, or its partition went).
                if (report.Lane.IsRetired)
                {
                    continue;
                }

                failedInTransaction ??= report;
                failedCount++;

                continue;
            }

            if (report.Error.IsError)
            {
                // Nothing after this offset is stored; the process restarts and re-consumes from the last commit.
                PipelineLog.DeliveryFailed(logger, partition, report.Offset, report.Error);
                stop();
                return;
            }

            Interlocked.Increment(ref _delivered);
            if (report.Implicit)
            {
                Interlocked.Increment(ref _implicit);
                PipelineLog.ImplicitlyAcknowledged(logger, new TopicPartitionOffset(partition, report.Offset));
            }

            if (!transactional && !report.Lane.IsRetired && report.Lane.Tracker.Delivered(report.Offset) is { } next)
            {
                _watermarks[partition] = next;
            }
        }

        if (failedInTransaction is { } first)
        {
            PipelineLog.TransactionalDeliveryFailed(logger, failedCount, first.Lane.Partition, first.Offset, first.Error);
        }
    }

    private void StoreWatermarks()
    {
        if (_watermarks.Count == 0)
        {
            return;
        }

        foreach (var (partition, next) in _watermarks)
        {
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(partition, next));
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
            {
                // The partition was revoked meanwhile; its new owner starts from the last commit.
            }
        }

        _watermarks.Clear();
    }

    private readonly record struct Delivery(PartitionLane Lane, long Offset, Error Error, bool Implicit);
}
