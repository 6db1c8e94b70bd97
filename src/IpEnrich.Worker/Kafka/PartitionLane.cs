using System.Threading.Channels;
using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// One assignment of one partition. The consume thread reserves a place for each message (a full lane pauses the
/// partition, and what was consumed meanwhile waits here, in order); the partition's prepare loop starts the messages'
/// work in consume order and queues what is not ready at once; the lane's produce loop hands the queued records to the
/// producer strictly in that order. Every message also holds its share of the process-wide
/// <see cref="InFlightBudget"/> until it leaves the lane; a retired lane gives back what its messages still held.
/// Each assignment is a new lane with a new <see cref="Generation"/>: once <see cref="Retire"/>d, nothing it still
/// reports may touch the partition's next lane.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A CancellationTokenSource without a timer holds nothing to release; retired lanes are simply dropped.")]
internal sealed class PartitionLane
{
    private readonly Channel<InFlight> _queue;
    private readonly Queue<(ConsumeResult<byte[]?, byte[]?> Source, long ConsumedAt)> _waiting = new();
    private readonly CancellationTokenSource _retired = new();
    private readonly int _capacity;
    private readonly InFlightBudget _budget;
    private int _reserved;
    private int _queued;

    // Budget bytes the lane's messages hold; RetiredMark once retired, so that a message leaving later gives nothing
    // back twice (Retire returned it all) and one leaving before gives back exactly its own.
    private long _heldBytes;
    private const long RetiredMark = long.MinValue / 2;

    public PartitionLane(TopicPartition partition, int capacity, long generation = 0, InFlightBudget? budget = null)
    {
        Partition = partition;
        Generation = generation;
        _capacity = capacity;
        _budget = budget ?? InFlightBudget.Unlimited;

        // Never full: every message holds a reservation (≤ capacity) before it can be queued.
        _queue = Channel.CreateBounded<InFlight>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
    }

    public TopicPartition Partition { get; }

    /// <summary>Which assignment of the partition this lane serves (increases with every lane the pipeline opens).</summary>
    public long Generation { get; }

    /// <summary>Consume thread only.</summary>
    public PartitionOffsetTracker Tracker { get; } = new();

    /// <summary>The lane's produce loop; completes once the queue is completed and drained.</summary>
    public Task Completion { get; set; } = Task.CompletedTask;

    /// <summary>Cancelled once the lane is retired: its work stops, and its messages belong to the partition's next owner.</summary>
    public CancellationToken Retired => _retired.Token;

    public bool IsRetired => _retired.IsCancellationRequested;

    public ChannelReader<InFlight> Reader => _queue.Reader;

    /// <summary>
    /// Prepare loop only: nothing of this partition waits in the lane or in its produce loop, so a message whose work
    /// finished at once may go straight to the output without overtaking an earlier one (the loop starts them in order,
    /// and the output produces records in the order it gets them).
    /// </summary>
    public bool NothingQueued => Volatile.Read(ref _queued) == 0;

    /// <summary>Consume thread only: messages consumed while the lane was full, in consume order.</summary>
    public bool HasWaiting => _waiting.Count > 0;

    /// <summary>Consume thread: takes a place and the budget for one message; false when the lane is full or the budget spent.</summary>
    public bool TryReserve(ConsumeResult<byte[]?, byte[]?> message)
    {
        var charge = InFlightBudget.ChargeOf(message);
        if (Volatile.Read(ref _reserved) >= _capacity || !_budget.TryTake(charge))
        {
            return false;
        }

        Interlocked.Add(ref _heldBytes, charge);
        Interlocked.Increment(ref _reserved);
        return true;
    }

    /// <summary>Consume thread: keeps a message that found no room, behind any that already wait.</summary>
    public void Wait(ConsumeResult<byte[]?, byte[]?> source, long consumedAt) => _waiting.Enqueue((source, consumedAt));

    /// <summary>Consume thread: the oldest waiting message, left in place until <see cref="DequeueWaiting"/>.</summary>
    public bool TryPeekWaiting(out (ConsumeResult<byte[]?, byte[]?> Source, long ConsumedAt) waiting) => _waiting.TryPeek(out waiting);

    public void DequeueWaiting() => _waiting.Dequeue();

    /// <summary>Consume thread: forgets the waiting messages; whoever owns the partition next consumes them again.</summary>
    public void DropWaiting() => _waiting.Clear();

    /// <summary>Prepare loop: queues a message for the produce loop; false once the lane is completed or retired.</summary>
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

    /// <summary>A message left the lane: its record is in librdkafka's hands, or it was dropped with the partition.</summary>
    public void Released(ConsumeResult<byte[]?, byte[]?> message)
    {
        Interlocked.Decrement(ref _reserved);
        var charge = InFlightBudget.ChargeOf(message);
        if (Interlocked.Add(ref _heldBytes, -charge) >= 0)
        {
            _budget.Return(charge);
        }
    }

    /// <summary>Produce loop: the oldest queued message went to the output, which gives its place back once produced.</summary>
    public void HandedOver() => Interlocked.Decrement(ref _queued);

    /// <summary>No more messages: the produce loop ends once it has handed the queued ones to the output.</summary>
    public void Complete() => _queue.Writer.TryComplete();

    /// <summary>Stops the lane's work where it is; reports of its deliveries no longer count.</summary>
    public void Retire()
    {
        _retired.Cancel();
        Complete();
        var held = Interlocked.Exchange(ref _heldBytes, RetiredMark);
        if (held > 0)
        {
            _budget.Return(held); // its messages will not all leave: some wait in channels no loop reads any more
        }
    }
}

/// <summary>A consumed message and the work that turns it into the record to publish.</summary>
/// <param name="ConsumedAt">When the consumer returned it (a <see cref="TimeProvider"/> timestamp), for <c>ipenrich.alert.duration</c>.</param>
internal sealed record InFlight(ConsumeResult<byte[]?, byte[]?> Source, Task<OutgoingRecord> Work, long ConsumedAt);
