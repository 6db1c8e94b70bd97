using System.Threading.Channels;
using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Takes the CPU part of each message (parse, extract, look up in L1, annotate) off the consume thread, which then only
/// polls the consumer, as in a bare copy. A fixed pool of loops (kafkaflow's workers), each fed by its own bounded
/// channel: a partition always maps to the same loop, so its messages start in consume order and its lane has one
/// writer. The consume thread waits before it polls while <see cref="BacklogPerWorker"/> messages per loop are not yet
/// started, so a consumer faster than the preparation holds a few hundred messages rather than every lane's capacity.
/// </summary>
internal sealed class PrepareWorkers : IDisposable
{
    /// <summary>A few milliseconds of work per loop: enough to ride out a fetch gap, small enough to stay in gen0.</summary>
    public const int BacklogPerWorker = 256;

    private readonly Channel<PrepareItem>[] _queues;
    private readonly Task[] _loops;
    private readonly FillLevel _backlog;

    /// <param name="count">Loops; one per core leaves the consume thread and librdkafka's threads to the scheduler.</param>
    /// <param name="start">Starts one message; must not throw.</param>
    public PrepareWorkers(int count, Action<PrepareItem> start)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _queues = new Channel<PrepareItem>[count];
        _loops = new Task[count];
        _backlog = new FillLevel(count * BacklogPerWorker);
        for (var i = 0; i < count; i++)
        {
            // Room for the whole backlog in one loop (all partitions may map to it) and the end items of its lanes.
            var options = new BoundedChannelOptions(_backlog.HighMark + BacklogPerWorker) { SingleReader = true, SingleWriter = true };
            var reader = (_queues[i] = Channel.CreateBounded<PrepareItem>(options)).Reader;
            _loops[i] = Task.Run(() => RunAsync(reader, start));
        }
    }

    /// <summary>Messages posted and not yet started.</summary>
    public int Backlog => _backlog.Count;

    /// <summary>
    /// Consume thread (a dedicated thread, so it may block): waits up to <paramref name="timeout"/> while the backlog
    /// is full; false when it still is, so the caller can attend to deliveries and rebalances before it waits again.
    /// </summary>
    public bool WaitForRoom(TimeSpan timeout) => _backlog.WaitForRoom(timeout);

    /// <summary>Consume thread: hands a message (reserved in its lane) to its partition's loop; false when that loop has no room.</summary>
    public bool TryPost(PartitionLane lane, ConsumeResult<byte[]?, byte[]?> source, long consumedAt)
    {
        _backlog.Add();
        if (QueueOf(lane).TryWrite(PrepareItem.Message(lane, source, consumedAt)))
        {
            return true;
        }

        _backlog.Remove();
        return false;
    }

    /// <summary>
    /// Consume thread: ends the lane once every message posted before has been started; waits up to
    /// <paramref name="timeout"/> for room, then ends the lane at once (what it still held is consumed again by the
    /// partition's next owner).
    /// </summary>
    public void PostEnd(PartitionLane lane, TimeSpan timeout)
    {
        var queue = QueueOf(lane);
        if (!queue.TryWrite(PrepareItem.EndOf(lane)) && !queue.WriteAsync(PrepareItem.EndOf(lane)).AsTask().Wait(timeout))
        {
            lane.Complete();
        }
    }

    /// <summary>Stops the loops after what they hold; call once nothing more is posted.</summary>
    public Task CompleteAsync()
    {
        foreach (var queue in _queues)
        {
            queue.Writer.TryComplete();
        }

        return Task.WhenAll(_loops);
    }

    private ChannelWriter<PrepareItem> QueueOf(PartitionLane lane) => _queues[lane.Partition.Partition.Value % _queues.Length].Writer;

    public void Dispose() => _backlog.Dispose();

    private async Task RunAsync(ChannelReader<PrepareItem> reader, Action<PrepareItem> start)
    {
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (item.IsEndOfLane)
                {
                    item.Lane.Complete();
                    continue;
                }

                start(item);
                _backlog.Remove();
            }
        }
    }
}

/// <summary>What a prepare loop receives: a consumed message to start, or the end of its lane.</summary>
internal readonly record struct PrepareItem
{
    private PrepareItem(PartitionLane lane, ConsumeResult<byte[]?, byte[]?>? source, long consumedAt, bool isEndOfLane)
    {
        Lane = lane;
        Source = source;
        ConsumedAt = consumedAt;
        IsEndOfLane = isEndOfLane;
    }

    public PartitionLane Lane { get; }

    /// <summary>The message; null only for the end of a lane.</summary>
    public ConsumeResult<byte[]?, byte[]?>? Source { get; }

    public long ConsumedAt { get; }

    public bool IsEndOfLane { get; }

    public static PrepareItem Message(PartitionLane lane, ConsumeResult<byte[]?, byte[]?> source, long consumedAt) => new(lane, source, consumedAt, false);

    public static PrepareItem EndOf(PartitionLane lane) => new(lane, null, 0, true);
}
