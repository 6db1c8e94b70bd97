using System.Threading.Channels;
using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// One assigned partition: messages are processed concurrently but handed to the producer strictly in consume order
/// through a bounded queue; the offset tracker turns delivery reports into the contiguous offset to store.
/// </summary>
internal sealed class PartitionLane
{
    private readonly Channel<InFlight> _queue;

    public PartitionLane(TopicPartition partition, int capacity)
    {
        Partition = partition;
        _queue = Channel.CreateBounded<InFlight>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
    }

    public TopicPartition Partition { get; }

    public PartitionOffsetTracker Tracker { get; } = new();

    /// <summary>A message consumed while the lane was full; the partition is paused until it fits.</summary>
    public InFlight? Pending { get; set; }

    /// <summary>The lane's produce loop; completes once the queue is completed and drained.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    public CancellationTokenSource Abandon { get; } = new();

    public ChannelReader<InFlight> Reader => _queue.Reader;

    /// <summary>
    /// Nothing queued, pending or being produced: a message whose work finished at once may be produced straight
    /// from the consume thread without overtaking an earlier one.
    /// </summary>
    public bool IsIdle => Volatile.Read(ref _outstanding) == 0 && Pending is null;

    private int _outstanding;

    public bool TryEnqueue(InFlight item)
    {
        Interlocked.Increment(ref _outstanding);
        if (_queue.Writer.TryWrite(item))
        {
            return true;
        }

        Interlocked.Decrement(ref _outstanding);
        return false;
    }

    /// <summary>Called by the produce loop once a dequeued message is in the producer's hands.</summary>
    public void Produced() => Interlocked.Decrement(ref _outstanding);

    public void Complete() => _queue.Writer.TryComplete();
}

/// <summary>A consumed message and the work that turns it into the record to publish.</summary>
/// <param name="ConsumedAt">When the consumer returned it (a <see cref="TimeProvider"/> timestamp), for <c>ipenrich.alert.duration</c>.</param>
internal sealed record InFlight(ConsumeResult<byte[]?, byte[]?> Source, Task<OutgoingRecord> Work, long ConsumedAt);

/// <summary>What to publish for one input: the enriched alert, or the original to the dead-letter topic.</summary>
internal sealed record OutgoingRecord(string Topic, Message<byte[]?, byte[]?> Message);
