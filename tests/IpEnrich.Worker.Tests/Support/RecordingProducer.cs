using Confluent.Kafka;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>
/// A producer without a broker for unit tests of the parts that drive one: records what was produced and each
/// transaction call, completes nothing by itself (delivery reports are raised by <see cref="DeliverAll"/>).
/// </summary>
public sealed class RecordingProducer : IProducer<byte[]?, byte[]?>
{
    private readonly List<(string Topic, Action<DeliveryReport<byte[]?, byte[]?>>? Handler)> _undelivered = [];
    private Exception? _failNextPoll;

    public List<string> Calls { get; } = [];

    public List<string> Produced { get; } = [];

    /// <summary>Offsets passed to <see cref="SendOffsetsToTransaction"/>, one list per call.</summary>
    public List<List<TopicPartitionOffset>> SentOffsets { get; } = [];

    /// <summary>When set, the next <see cref="CommitTransaction(TimeSpan)"/> throws it once.</summary>
    public KafkaException? FailNextCommit { get; set; }

    /// <summary>What librdkafka throws from a commit whose transaction must be aborted (for <see cref="FailNextCommit"/>).</summary>
    public static KafkaException AbortableCommitFailure() => new KafkaTxnRequiresAbortException(new Error(ErrorCode.InvalidTxnState, "injected"));

    /// <summary>Runs inside <see cref="CommitTransaction(TimeSpan)"/>, before it fails or succeeds: while the commit gate is closed.</summary>
    public Action? DuringCommit { get; set; }

    /// <summary>
    /// The open transaction failed (abortable): <see cref="Produce(string, Message{byte[], byte[]}, Action{DeliveryReport{byte[], byte[]}})"/>
    /// refuses records with <see cref="ErrorCode.Local_State"/>, as librdkafka does, until the next <see cref="BeginTransaction"/>.
    /// </summary>
    public bool TransactionFailed { get; set; }

    /// <summary>Messages the local queue accepts before <see cref="ErrorCode.Local_QueueFull"/>; unlimited when null.</summary>
    public int? QueueRoom { get; set; }

    public Handle Handle => throw new NotSupportedException();

    public string Name => "recording";

    public void Produce(string topic, Message<byte[]?, byte[]?> message, Action<DeliveryReport<byte[]?, byte[]?>>? deliveryHandler = null)
    {
        lock (_undelivered)
        {
            if (TransactionFailed)
            {
                throw new ProduceException<byte[]?, byte[]?>(new Error(ErrorCode.Local_State), new DeliveryResult<byte[]?, byte[]?>());
            }

            if (topic == OversizedTopic)
            {
                throw new ProduceException<byte[]?, byte[]?>(new Error(ErrorCode.MsgSizeTooLarge), new DeliveryResult<byte[]?, byte[]?>());
            }

            if (QueueRoom is <= 0)
            {
                throw new ProduceException<byte[]?, byte[]?>(new Error(ErrorCode.Local_QueueFull), new DeliveryResult<byte[]?, byte[]?>());
            }

            QueueRoom--;
            Produced.Add(topic);
            _undelivered.Add((topic, deliveryHandler));
        }
    }

    public void Produce(TopicPartition topicPartition, Message<byte[]?, byte[]?> message, Action<DeliveryReport<byte[]?, byte[]?>>? deliveryHandler = null) =>
        Produce(topicPartition.Topic, message, deliveryHandler);

    /// <summary>Raises a successful delivery report for everything produced so far.</summary>
    public void DeliverAll()
    {
        List<(string Topic, Action<DeliveryReport<byte[]?, byte[]?>>? Handler)> pending;
        lock (_undelivered)
        {
            pending = [.. _undelivered];
            _undelivered.Clear();
        }

        foreach (var (topic, handler) in pending)
        {
            handler?.Invoke(new DeliveryReport<byte[]?, byte[]?> { Error = new Error(ErrorCode.NoError), TopicPartitionOffset = new TopicPartitionOffset(topic, 0, 0) });
        }
    }

    public void InitTransactions(TimeSpan timeout) => Calls.Add("init");

    public void BeginTransaction()
    {
        Calls.Add("begin");
        TransactionFailed = false;
    }

    public void CommitTransaction(TimeSpan timeout)
    {
        DuringCommit?.Invoke();
        if (FailNextCommit is { } failure)
        {
            FailNextCommit = null;
            throw failure;
        }

        Calls.Add("commit");
    }

    public void CommitTransaction() => CommitTransaction(Timeout.InfiniteTimeSpan);

    public void AbortTransaction(TimeSpan timeout) => Calls.Add("abort");

    public void AbortTransaction() => AbortTransaction(Timeout.InfiniteTimeSpan);

    public void SendOffsetsToTransaction(IEnumerable<TopicPartitionOffset> offsets, IConsumerGroupMetadata groupMetadata, TimeSpan timeout)
    {
        Calls.Add("send-offsets");
        SentOffsets.Add([.. offsets]);
    }

    public Task<DeliveryResult<byte[]?, byte[]?>> ProduceAsync(string topic, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    public Task<DeliveryResult<byte[]?, byte[]?>> ProduceAsync(TopicPartition topicPartition, Message<byte[]?, byte[]?> message, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException();

    /// <summary>Poll serves the delivery reports, as librdkafka does for a producer without Confluent's background poll.</summary>
    public bool DeliverOnPoll { get; set; }

    /// <summary>Thrown by the next Poll (once), as a client failing while it serves reports would.</summary>
    public Exception? FailNextPoll { get => _failNextPoll; set => _failNextPoll = value; }

    /// <summary>Produce refuses records for this topic as larger than <c>message.max.bytes</c>.</summary>
    public string? OversizedTopic { get; set; }

    public int Poll(TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _failNextPoll, null) is { } failure)
        {
            throw failure;
        }

        if (DeliverOnPoll)
        {
            DeliverAll();
        }

        return 0;
    }

    public int Flush(TimeSpan timeout)
    {
        DeliverAll();
        return 0;
    }

    public void Flush(CancellationToken cancellationToken = default) => DeliverAll();

    public int AddBrokers(string brokers) => 0;

    public void SetSaslCredentials(string username, string password)
    {
    }

    public void Dispose()
    {
    }
}
