using System.Threading.Channels;
using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// One assigned partition. The consume thread reserves a place for each message (a full lane pauses the partition);
/// the partition's prepare worker starts the messages' work in consume order and queues what is not ready at once;
/// the lane's produce loop hands the queued records to the producer strictly in that order. The offset tracker turns
/// delivery reports into the contiguous offset to store.
/// </summary>
internal sealed class PartitionLane
{
    private readonly Channel<InFlight> _queue;
    private readonly int _capacity;
    private int _reserved;
    private int _queued;

    public PartitionLane(TopicPartition partition, int capacity)
    {
        Partition = partition;
        _capacity = capacity;

        // Never full: every message holds a reservation (≤ capacity) before it can be queued.
        _queue = Channel.CreateBounded<InFlight>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
    }

    public TopicPartition Partition { get; }

    /// <summary>Consume thread only.</summary>
    public PartitionOffsetTracker Tracker { get; } = new();

    /// <summary>Consume thread only: a message consumed while the lane was full; the partition is paused until it fits.</summary>
    public (ConsumeResult<byte[]?, byte[]?> Source, long ConsumedAt)? Pending { get; set; }

    /// <summary>The lane's produce loop; completes once the queue is completed and drained.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    public CancellationTokenSource Abandon { get; } = new();

    public ChannelReader<InFlight> Reader => _queue.Reader;

    /// <summary>
    /// Prepare worker only: nothing of this partition is queued or being produced, so a message whose work finished
    /// at once may go straight to the producer without overtaking an earlier one (the worker starts them in order).
    /// </summary>
    public bool NothingQueued => Volatile.Read(ref _queued) == 0;

    /// <summary>Consume thread: takes a place for one message; false when the lane is full.</summary>
    public bool TryReserve()
    {
        if (Volatile.Read(ref _reserved) >= _capacity)
        {
            return false;
        }

        Interlocked.Increment(ref _reserved);
        return true;
    }

    /// <summary>Prepare worker: queues a message for the produce loop; false once the lane is completed or abandoned.</summary>
    public bool Enqueue(InFlight item)
    {
        Interlocked.Increment(ref _queued);
        if (_queue.Writer.TryWrite(item))
        {
            return true;
        }

        Interlocked.Decrement(ref _queued);
        return false;
    }

    /// <summary>Prepare worker: a message that was never queued left the lane (produced at once, or dropped with the partition).</summary>
    public void Released() => Interlocked.Decrement(ref _reserved);

    /// <summary>Produce loop: a queued message is in the producer's hands.</summary>
    public void Produced()
    {
        Interlocked.Decrement(ref _queued);
        Released();
    }

    public void Complete() => _queue.Writer.TryComplete();
}

/// <summary>A consumed message and the work that turns it into the record to publish.</summary>
/// <param name="ConsumedAt">When the consumer returned it (a <see cref="TimeProvider"/> timestamp), for <c>ipenrich.alert.duration</c>.</param>
internal sealed record InFlight(ConsumeResult<byte[]?, byte[]?> Source, Task<OutgoingRecord> Work, long ConsumedAt);

/// <summary>What to publish for one input: the enriched alert, or the original to the dead-letter topic.</summary>
internal sealed record OutgoingRecord(string Topic, Message<byte[]?, byte[]?> Message);
