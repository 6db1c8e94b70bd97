using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Exactly-once mode, on the consume thread: commits the open transaction every
/// <see cref="KafkaOptions.TransactionCommitInterval"/>, and when a commit has to abort, or partitions are lost,
/// rewinds every assigned partition to its committed offset on fresh lanes, so the inputs whose outputs were
/// discarded are processed again: none skipped, none published twice.
/// </summary>
internal sealed class ExactlyOnceCoordinator(TransactionalOutput output, PartitionLanes lanes, IConsumer<byte[]?, byte[]?> consumer,
    KafkaOptions options, TimeProvider time, ILogger logger)
{
    /// <summary>
    /// How long a periodic commit waits for producers inside the gate: far below <c>max.poll.interval.ms</c>, so a
    /// broker outage that keeps a lane waiting for queue space postpones commits instead of stalling the poll loop.
    /// </summary>
    public static readonly TimeSpan GateTimeout = TimeSpan.FromSeconds(1);

    private long _lastCommit = time.GetTimestamp();
    private long _rewinds;
    private bool _postponed; // one log line per run of postponed commits

    /// <summary>Transactions aborted and replayed from the committed offsets.</summary>
    public long Rewinds => Interlocked.Read(ref _rewinds);

    public void Start()
    {
        output.Start();
        _lastCommit = time.GetTimestamp();
    }

    /// <summary>Commits every <see cref="KafkaOptions.TransactionCommitInterval"/>, and at once when the transaction failed.</summary>
    public void CommitIfDue()
    {
        if (time.GetElapsedTime(_lastCommit) < options.TransactionCommitInterval && !output.HasFailed)
        {
            return;
        }

        _lastCommit = time.GetTimestamp();
        Commit(GateTimeout);
    }

    /// <summary>During a drain: the lanes of a failed transaction wait for its abort, so it comes now.</summary>
    public void AbortIfFailed()
    {
        if (output.HasFailed)
        {
            Commit(GateTimeout);
        }
    }

    /// <summary>Commits now: after a drain (waiting up to <paramref name="gateTimeout"/> for producers), or when due.</summary>
    public void Commit(TimeSpan gateTimeout)
    {
        List<TopicPartition> retired = [];
        var result = output.Commit(consumer, gateTimeout, retireProducers: () => retired = lanes.RetireAll());
        if (result == TransactionCommit.Postponed && !_postponed)
        {
            PipelineLog.CommitPostponed(logger, gateTimeout.TotalMilliseconds);
        }

        _postponed = result == TransactionCommit.Postponed;
        if (result == TransactionCommit.Aborted)
        {
            PipelineLog.TransactionAborted(logger, output.LastAbortReason);
            RewindToCommitted(retired);
        }
    }

    /// <summary>Partitions were lost: the open transaction may hold their outputs, which their new owner produces too.</summary>
    public void AbortAndRewind()
    {
        var partitions = lanes.RetireAll(); // before the abort takes the gate: no retired lane produces into the next transaction
        if (!output.Abort(GateTimeout))
        {
            PipelineLog.AbortWithoutGate(logger, GateTimeout.TotalMilliseconds);
        }

        RewindToCommitted(partitions);
    }

    private void RewindToCommitted(List<TopicPartition> partitions)
    {
        if (partitions.Count == 0)
        {
            return;
        }

        lanes.Open(partitions);
        foreach (var committed in consumer.Committed(partitions, options.DrainTimeout))
        {
            consumer.Seek(committed.Offset == Offset.Unset ? new TopicPartitionOffset(committed.TopicPartition, Offset.Beginning) : committed);
        }

        consumer.Resume(partitions);
        Interlocked.Increment(ref _rewinds);
        PipelineLog.Rewound(logger, partitions.Count);
    }
}
