using System.Collections.Concurrent;
using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// The lanes of the assigned partitions, and admission into them: a consumed message goes to its partition's prepare
/// loop while the lane, the process's <see cref="InFlightBudget"/> and the loop have room; otherwise it waits in the
/// lane, behind any that already wait, and the partition is paused until they all fit. Every assignment opens a lane of a new generation. Consume thread only,
/// except <see cref="Count"/>.
/// </summary>
internal sealed class PartitionLanes(IConsumer<byte[]?, byte[]?> consumer, PrepareWorkers prepare, int capacity, Func<PartitionLane, Task> produceLoop,
    InFlightBudget? budget = null)
{
    private readonly ConcurrentDictionary<TopicPartition, PartitionLane> _lanes = new();

    // The lanes by partition number, for Admit: a ConsumeResult makes a new TopicPartition (and hashes its topic name)
    // each time it is asked for one. With one input topic it holds every lane; a number two topics share falls back.
    private readonly Dictionary<int, PartitionLane> _byNumber = [];
    private readonly List<PartitionLane> _paused = []; // usually empty: no scan of every lane per message, oldest first
    private readonly InFlightBudget _budget = budget ?? InFlightBudget.Unlimited;
    private long _generation;

    // Set while the oldest paused partition's next message does not fit in the budget: every newer message waits
    // behind it, so a large alert is not starved by a stream of small ones taking each freed byte first.
    private bool _queuedForBudget;

    public int Count => _lanes.Count;

    public List<TopicPartition> Partitions => [.. _lanes.Keys];

    /// <summary>The partition's current lane, or null when it is not assigned.</summary>
    public PartitionLane? Find(TopicPartition partition) => _lanes.GetValueOrDefault(partition);

    /// <summary>Opens a lane of a new generation, with its produce loop, for each partition.</summary>
    public void Open(IEnumerable<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            var lane = new PartitionLane(partition, capacity, Interlocked.Increment(ref _generation), _budget);
            lane.Completion = Task.Run(() => produceLoop(lane), CancellationToken.None);
            if (_lanes.TryGetValue(partition, out var replaced))
            {
                replaced.Retire(); // its produce loop ends instead of waiting for messages that go to the new lane
            }

            _lanes[partition] = lane;
            _byNumber[partition.Partition.Value] = lane;
        }
    }

    /// <summary>Takes a consumed message into its lane; false when its partition is not assigned here (revoked meanwhile).</summary>
    public bool Admit(ConsumeResult<byte[]?, byte[]?> message, long consumedAt)
    {
        if ((!_byNumber.TryGetValue(message.Partition.Value, out var lane) || lane.Partition.Topic != message.Topic)
            && !_lanes.TryGetValue(message.TopicPartition, out lane))
        {
            return false;
        }

        lane.Tracker.Consumed(message.Offset.Value);
        if (lane.HasWaiting)
        {
            lane.Wait(message, consumedAt); // a paused partition may still hand over what was fetched: keep it, in order
        }
        else if (_queuedForBudget || !TryStart(lane, message, consumedAt))
        {
            lane.Wait(message, consumedAt);
            _paused.Add(lane);
            consumer.Pause([lane.Partition]);
        }

        return true;
    }

    /// <summary>
    /// Hands waiting messages on as their lanes get room, and resumes each partition whose messages all fit. The
    /// partition paused first is served first: with the budget spent, the last one paused would otherwise take every
    /// freed byte again and starve the others.
    /// </summary>
    public void RetryWaiting()
    {
        _queuedForBudget = false;
        var i = 0;
        while (i < _paused.Count)
        {
            var lane = _paused[i];
            if (lane.IsRetired)
            {
                _paused.RemoveAt(i); // gone with its partition: the messages are consumed again by the next owner
                continue;
            }

            while (!_queuedForBudget && lane.TryPeekWaiting(out var waiting) && TryStart(lane, waiting.Source, waiting.ConsumedAt))
            {
                lane.DequeueWaiting();
            }

            if (lane.TryPeekWaiting(out var next))
            {
                _queuedForBudget = _queuedForBudget || !_budget.Fits(InFlightBudget.ChargeOf(next.Source));
                i++;
                continue;
            }

            _paused.RemoveAt(i);
            consumer.Resume([lane.Partition]);
        }
    }

    /// <summary>
    /// Starts draining the lanes of <paramref name="partitions"/>: waiting messages are dropped (re-delivered to the next
    /// owner) and each lane ends after the messages already posted. Returns the lanes, still current until <see cref="Remove"/>.
    /// </summary>
    public List<PartitionLane> BeginDrain(IEnumerable<TopicPartition> partitions, TimeSpan timeout)
    {
        var lanes = partitions.Select(Find).OfType<PartitionLane>().ToList();
        foreach (var lane in lanes)
        {
            lane.DropWaiting();
            prepare.PostEnd(lane, timeout);
        }

        return lanes;
    }

    /// <summary>
    /// Forgets the partitions of drained lanes and retires their current lanes: the drained ones, or the fresh ones a
    /// commit that aborted during the drain rewound them onto (the drained ones were retired then). The partitions are
    /// going, and a lane left behind would be rewound (sought) again later.
    /// </summary>
    public void Remove(IEnumerable<PartitionLane> lanes)
    {
        foreach (var lane in lanes)
        {
            Abandon(lane.Partition);
        }
    }

    /// <summary>Drops a partition's lane without draining it: its in-flight messages will be consumed again.</summary>
    public void Abandon(TopicPartition partition)
    {
        if (_lanes.TryRemove(partition, out var lane))
        {
            if (_byNumber.TryGetValue(partition.Partition.Value, out var indexed) && indexed == lane)
            {
                _byNumber.Remove(partition.Partition.Value);
            }

            lane.Retire();
        }
    }

    /// <summary>Retires every lane at once (an aborted transaction), then opens fresh ones; returns their partitions.</summary>
    public List<TopicPartition> RetireAll()
    {
        var partitions = Partitions;
        foreach (var partition in partitions)
        {
            Abandon(partition);
        }

        return partitions;
    }

    private bool TryStart(PartitionLane lane, ConsumeResult<byte[]?, byte[]?> message, long consumedAt)
    {
        if (!lane.TryReserve(message))
        {
            return false;
        }

        if (prepare.TryPost(lane, message, consumedAt))
        {
            return true;
        }

        lane.Released(message);
        return false;
    }
}
