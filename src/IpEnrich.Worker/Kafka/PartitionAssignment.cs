using System.Diagnostics;
using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// What the group's rebalances do to the pipeline (kafkaflow's ConsumerManager). Assigned partitions get fresh lanes;
/// revoked ones finish their in-flight messages (time-boxed), publish, store and commit before they go; lost ones are
/// dropped at once, their messages consumed again by the new owner, and in exactly-once mode the open transaction is
/// aborted and replayed. Runs on the consume thread, inside Consume() or at stop; inside the stop's close, on the
/// thread that closes the consumer while the consume thread waits for it (<see cref="GroupExit"/>).
/// </summary>
internal sealed class PartitionAssignment(PartitionLanes lanes, OffsetStore offsets, OutputProducer output,
    ExactlyOnceCoordinator? transactions, TimeSpan drainTimeout, ILogger logger) : IRebalanceHandler
{
    private static readonly TimeSpan FailedTransactionCheck = TimeSpan.FromMilliseconds(100);

    public void OnAssigned(List<TopicPartition> partitions)
    {
        lanes.Open(partitions);
        PipelineLog.Assigned(logger, partitions);
    }

    public void OnRevoked(List<TopicPartitionOffset> partitions)
    {
        DrainAndCommit([.. partitions.Select(p => p.TopicPartition)]);
        PipelineLog.Revoked(logger, partitions);
    }

    public void OnLost(List<TopicPartitionOffset> partitions)
    {
        foreach (var partition in partitions)
        {
            lanes.Abandon(partition.TopicPartition);
        }

        PipelineLog.Lost(logger, partitions);
        transactions?.AbortAndRewind();
    }

    /// <summary>At stop: every partition drains and commits, as at a revocation.</summary>
    public void DrainAll() => DrainAndCommit(lanes.Partitions);

    /// <summary>
    /// Makes everything produced so far durable: the open transaction commits, or the producer flushes and the stored
    /// offsets commit. Lanes that <paramref name="drained"/> are removed once their watermarks are stored.
    /// </summary>
    public void CommitProduced(List<PartitionLane>? drained = null)
    {
        if (transactions is not null)
        {
            transactions.Commit(drainTimeout);
        }
        else
        {
            output.Flush(drainTimeout);
        }

        offsets.Apply();
        if (drained is not null)
        {
            lanes.Remove(drained);
        }

        if (transactions is null)
        {
            offsets.CommitStored();
        }
    }

    private void DrainAndCommit(List<TopicPartition> partitions)
    {
        var closing = lanes.BeginDrain(partitions, drainTimeout);
        var drained = WaitForDrain(Task.WhenAll(closing.Select(l => l.Completion)));
        CommitProduced(closing);
        if (!drained)
        {
            PipelineLog.DrainTimeout(logger, drainTimeout.TotalSeconds);
        }
    }

    /// <summary>
    /// A blocking wait is right here: this is the dedicated consume thread inside a rebalance callback or at stop. The
    /// lanes of a failed transaction wait for its abort, which only this thread can do: it aborts at once (and the
    /// rewind retires them) instead of waiting out the drain time.
    /// </summary>
    private bool WaitForDrain(Task drained)
    {
        if (transactions is null)
        {
            return drained.Wait(drainTimeout);
        }

        // A deadline from the clock, not a count of checks: an abort inside the loop takes time of its own.
        var started = Stopwatch.GetTimestamp();
        for (var remaining = drainTimeout; remaining > TimeSpan.Zero; remaining = drainTimeout - Stopwatch.GetElapsedTime(started))
        {
            if (drained.Wait(remaining < FailedTransactionCheck ? remaining : FailedTransactionCheck))
            {
                return true;
            }

            transactions.AbortIfFailed();
        }

        return drained.IsCompleted;
    }
}
