using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Exactly-once mode (<c>Kafka:Transactions=true</c>): outputs, dead letters and the input offsets they answer are
/// committed in one Kafka transaction, so a read_committed reader sees each input once even across crashes.
/// Lanes produce through a <see cref="CommitGate"/>; the consume thread closes it for a commit, so the offsets sent to
/// the transaction are exactly the inputs whose outputs it holds (a consistent cut). Lanes produce in consume order,
/// so per partition that is "the last produced offset + 1".
/// </summary>
internal sealed class TransactionalOutput : IDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly TimeSpan _timeout;
    private const int MaxCommitAttempts = 5;
    private readonly CommitGate _gate = new();
    private readonly Lock _offsetsLock = new();
    private readonly Dictionary<TopicPartition, long> _nextOffsets = [];

    public TransactionalOutput(IProducer<byte[]?, byte[]?> producer, TimeSpan timeout)
    {
        _producer = producer;
        _timeout = timeout;
    }

    /// <summary>Why the last commit had to abort (for the log line of the rewind).</summary>
    public string? LastAbortReason { get; private set; }

    /// <summary>Registers the producer's transactional id (fencing any earlier instance with it) and opens the first transaction.</summary>
    public void Start()
    {
        _producer.InitTransactions(_timeout);
        _producer.BeginTransaction();
    }

    /// <summary>Produces one record into the open transaction and records its input offset as answered (when it answers one).</summary>
    public async Task ProduceAsync(TopicPartition? source, long offset, OutgoingRecord record,
        Action<DeliveryReport<byte[]?, byte[]?>> onDelivery, CancellationToken cancellationToken)
    {
        await _gate.EnterAsync(cancellationToken);
        try
        {
            cancellationToken.ThrowIfCancellationRequested(); // the lane was abandoned (rewind, partition lost) while waiting
            await _producer.ProduceWhenQueuedAsync(record, onDelivery, cancellationToken);

            if (source is not null)
            {
                lock (_offsetsLock)
                {
                    _nextOffsets[source] = offset + 1;
                }
            }
        }
        finally
        {
            _gate.Exit();
        }
    }

    /// <summary>
    /// On the consume thread: commits the open transaction with the answered offsets and opens the next one.
    /// Returns false when the transaction had to be aborted: the caller rewinds to the last committed offsets.
    /// Fatal errors (fenced by a newer instance) are thrown.
    /// </summary>
    public bool Commit(IConsumer<byte[]?, byte[]?> consumer)
    {
        // Blocking is right here: this is the dedicated consume thread, and lanes wait for the gate asynchronously.
        _gate.Close();
        try
        {
            if (_nextOffsets.Count == 0)
            {
                return true;
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var offsets = _nextOffsets.Select(kv => new TopicPartitionOffset(kv.Key, kv.Value)).ToList();
                    _producer.SendOffsetsToTransaction(offsets, consumer.ConsumerGroupMetadata, _timeout);
                    _producer.CommitTransaction(_timeout);
                    _nextOffsets.Clear();
                    CommitAgainOutsideTransaction(consumer, offsets);
                    _producer.BeginTransaction();
                    return true;
                }
                catch (KafkaTxnRequiresAbortException ex)
                {
                    LastAbortReason = ex.Error.Reason;
                    AbortLocked();
                    return false;
                }
                catch (KafkaRetriableException) when (attempt < MaxCommitAttempts)
                {
                    // Both calls may be repeated: the transaction is still open or committing.
                }
            }
        }
        finally
        {
            _gate.Open();
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

    /// <summary>Discards the open transaction (partitions lost, or a commit failed): the caller rewinds.</summary>
    public void Abort()
    {
        _gate.Close();
        try
        {
            AbortLocked();
        }
        finally
        {
            _gate.Open();
        }
    }

    private void AbortLocked()
    {
        _producer.AbortTransaction(_timeout);
        _nextOffsets.Clear();
        _producer.BeginTransaction();
    }

    public void Dispose() => _gate.Dispose();
}
