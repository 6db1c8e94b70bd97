using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Exactly-once mode (<c>Kafka:Transactions=true</c>): outputs, dead letters, late updates and the input offsets they
/// answer are committed in one Kafka transaction, so a read_committed reader sees each input once even across crashes.
/// Producers go through a <see cref="CommitGate"/>; the consume thread closes it for a commit, so the offsets sent to
/// the transaction are exactly the inputs whose outputs it holds (a consistent cut). Lanes produce in consume order,
/// so per partition that is "the last produced offset + 1".
/// </summary>
internal sealed class TransactionalOutput : IDisposable
{
    private const int MaxCommitAttempts = 5;
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly TimeSpan _timeout;
    private readonly CommitGate _gate = new();
    private readonly Lock _offsetsLock = new();
    private readonly Dictionary<TopicPartition, long> _nextOffsets = [];
    private long _produced; // records in the open transaction, with or without an input offset
    private bool _failed; // librdkafka refused a record: the open transaction failed and must abort
    private bool _disposed;
    private TaskCompletionSource<bool> _outcome = NewOutcome(); // of the open transaction: committed or not

    public TransactionalOutput(IProducer<byte[]?, byte[]?> producer, TimeSpan timeout)
    {
        _producer = producer;
        _timeout = timeout;
    }

    /// <summary>librdkafka refused a record: the open transaction failed, and its lanes wait for it to abort.</summary>
    public bool HasFailed => Volatile.Read(ref _failed);

    /// <summary>Why the last commit had to abort (for the log line of the rewind).</summary>
    public string? LastAbortReason { get; private set; }

    /// <summary>Registers the producer's transactional id (fencing any earlier instance with it) and opens the first transaction.</summary>
    public void Start()
    {
        _producer.InitTransactions(_timeout);
        _producer.BeginTransaction();
    }

    /// <summary>Produces one record into the open transaction and records its input offset as answered (when it answers one).</summary>
    /// <returns>Whether the transaction that holds the record commits (true) or aborts (false).</returns>
    public async Task<Task<bool>> ProduceAsync(TopicPartition? source, long offset, OutgoingRecord record,
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task<bool> failed;
            await _gate.EnterAsync(cancellationToken);
            try
            {
                cancellationToken.ThrowIfCancellationRequested(); // the lane was retired (rewind, partition lost) while waiting
                var outcome = Volatile.Read(ref _outcome).Task; // inside the gate: the transaction cannot end before the produce
                if (await TryProduceAsync(source, offset, record, onDelivery, cancellationToken))
                {
                    return outcome;
                }

                failed = outcome;
            }
            finally
            {
                _gate.Exit();
            }

            // The open transaction failed (abortable) and takes no more records. It aborts at the next commit, which
            // retires the lanes first: a lane's record is replayed, anything else goes into the next transaction.
            await failed.WaitAsync(cancellationToken);
            if (Volatile.Read(ref _disposed))
            {
                throw new KafkaException(new Error(ErrorCode.Local_Destroy, "The pipeline stopped before the record could be produced"));
            }
        }
    }

    /// <summary>Inside the gate: false when librdkafka refuses the record because the open transaction has failed.</summary>
    private async ValueTask<bool> TryProduceAsync(TopicPartition? source, long offset, OutgoingRecord record,
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery, CancellationToken cancellationToken)
    {
        try
        {
            await _producer.ProduceWhenQueuedAsync(record, onDelivery, cancellationToken);
        }
        catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_State)
        {
            Volatile.Write(ref _failed, true); // so the next commit runs, and aborts, even if nothing went in
            return false;
        }

        Interlocked.Increment(ref _produced);
        if (source is not null)
        {
            lock (_offsetsLock)
            {
                _nextOffsets[source] = offset + 1;
            }
        }

        return true;
    }

    /// <summary>
    /// On the consume thread: commits the open transaction (with the answered offsets, if any) and opens the next one.
    /// Waits at most <paramref name="gateTimeout"/> for producers inside the gate; if they are still there, nothing is
    /// committed now (<see cref="TransactionCommit.Postponed"/>). <see cref="TransactionCommit.Aborted"/>: the caller
    /// rewinds to the last committed offsets, and <paramref name="retireProducers"/> has already run with the gate
    /// still closed: a lane waiting at the gate holds outputs of the discarded inputs, and must not put them into the
    /// next transaction before its retirement reaches it. Fatal errors (fenced by a newer instance) are thrown.
    /// </summary>
    public TransactionCommit Commit(IConsumer<byte[]?, byte[]?> consumer, TimeSpan gateTimeout, Action retireProducers)
    {
        try
        {
            if (!_gate.Close(gateTimeout))
            {
                return TransactionCommit.Postponed;
            }

            return Interlocked.Read(ref _produced) == 0 && !HasFailed ? TransactionCommit.Committed : CommitLocked(consumer, retireProducers);
        }
        finally
        {
            _gate.Open();
        }
    }

    private TransactionCommit CommitLocked(IConsumer<byte[]?, byte[]?> consumer, Action retireProducers)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var offsets = _nextOffsets.Select(kv => new TopicPartitionOffset(kv.Key, kv.Value)).ToList();
                if (offsets.Count > 0)
                {
                    _producer.SendOffsetsToTransaction(offsets, consumer.ConsumerGroupMetadata, _timeout);
                }

                _producer.CommitTransaction(_timeout);
                Reset(committed: true);
                if (offsets.Count > 0)
                {
                    CommitAgainOutsideTransaction(consumer, offsets);
                }

                _producer.BeginTransaction();
                return TransactionCommit.Committed;
            }
            catch (KafkaTxnRequiresAbortException ex)
            {
                LastAbortReason = ex.Error.Reason;
                retireProducers();
                AbortLocked();
                return TransactionCommit.Aborted;
            }
            catch (KafkaRetriableException) when (attempt < MaxCommitAttempts)
            {
                // Both calls may be repeated: the transaction is still open or committing.
            }
        }
    }

    /// <summary>
    /// The transaction already committed these offsets; committing the same values again is a no-op for a broker but
    /// keeps the position for brokers that acknowledge TxnOffsetCommit without storing it (librdkafka's mock cluster).
    /// </summary>
    private static void CommitAgainOutsideTransaction(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> offsets)
    {
        try
        {
            consumer.Commit(offsets);
        }
        catch (KafkaException)
        {
            // Best effort: the transaction is the record of truth.
        }
    }

    /// <summary>
    /// Discards the open transaction (partitions lost, or a commit failed): the caller rewinds. Retire the producing
    /// lanes first, so they leave the gate; false when one was still inside after <paramref name="gateTimeout"/>.
    /// </summary>
    public bool Abort(TimeSpan gateTimeout)
    {
        var closed = _gate.Close(gateTimeout);
        try
        {
            AbortLocked();
            return closed;
        }
        finally
        {
            _gate.Open();
        }
    }

    private void AbortLocked()
    {
        _producer.AbortTransaction(_timeout);
        Reset(committed: false);
        _producer.BeginTransaction();
    }

    private void Reset(bool committed)
    {
        _nextOffsets.Clear();
        Interlocked.Exchange(ref _produced, 0);
        Volatile.Write(ref _failed, false);
        Interlocked.Exchange(ref _outcome, NewOutcome()).TrySetResult(committed);
    }

    private static TaskCompletionSource<bool> NewOutcome() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true); // before the outcome: a record waiting on a failed transaction must not retry
        _outcome.TrySetResult(false); // stopping: whatever is still open is not committed
        _gate.Dispose();
    }
}

/// <summary>What <see cref="TransactionalOutput.Commit"/> did.</summary>
internal enum TransactionCommit
{
    /// <summary>Committed, or there was nothing to commit.</summary>
    Committed,

    /// <summary>Producers were still inside the gate: nothing was committed this time.</summary>
    Postponed,

    /// <summary>The transaction was aborted: its outputs are discarded and its inputs must be processed again.</summary>
    Aborted,
}
