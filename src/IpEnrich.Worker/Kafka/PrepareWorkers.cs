using System.Threading.Channels;
using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Takes the CPU part of each message (parse, extract, look up in L1, annotate) off the consume thread, which then only
/// polls the consumer, as in a bare copy. A fixed pool of loops (kafkaflow's workers): a partition always maps to the
/// same loop, so its messages start in consume order and its lane has one writer. The backlog not yet started is
/// bounded: past <see cref="BacklogPerWorker"/> per loop the consume thread waits, so a consumer faster than the
/// preparation holds a few hundred messages in memory rather than every lane's capacity.
/// </summary>
internal sealed class PrepareWorkers : IDisposable
{
    /// <summary>A few milliseconds of work per loop: enough to ride out a fetch gap, small enough to stay in gen0.</summary>
    public const int BacklogPerWorker = 256;

    private readonly Channel<PrepareItem>[] _queues;
    private readonly Task[] _loops;
    private readonly int _maxBacklog;
    private readonly ManualResetEventSlim _room = new(initialState: true);
    private int _backlog;

    /// <param name="count">Loops; one per core leaves the consume thread and librdkafka's threads to the scheduler.</param>
    /// <param name="start">Starts one message; must not throw.</param>
    public PrepareWorkers(int count, Action<PrepareItem> start)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        _queues = new Channel<PrepareItem>[count];
        _loops = new Task[count];
        _maxBacklog = count * BacklogPerWorker;
        for (var i = 0; i < count; i++)
        {
            var reader = (_queues[i] = Channel.CreateUnbounded<PrepareItem>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true })).Reader;
            _loops[i] = Task.Run(() => RunAsync(reader, start));
        }
    }

    /// <summary>Messages posted and not yet started.</summary>
    public int Backlog => Volatile.Read(ref _backlog);

    /// <summary>
    /// Consume thread (a dedicated thread, so it may block): waits up to <paramref name="timeout"/> while the backlog
    /// is full; false when it still is, so the caller can attend to deliveries and rebalances before it waits again.
    /// </summary>
    public bool WaitForRoom(TimeSpan timeout)
    {
        if (Volatile.Read(ref _backlog) < _maxBacklog)
        {
            return true;
        }

        _room.Reset();
        return Volatile.Read(ref _backlog) < _maxBacklog || (_room.Wait(timeout) && Volatile.Read(ref _backlog) < _maxBacklog);
    }

    /// <summary>Consume thread: hands a message (reserved in its lane) to its partition's loop.</summary>
    public void Post(PartitionLane lane, ConsumeResult<byte[]?, byte[]?> source, long consumedAt)
    {
        Interlocked.Increment(ref _backlog);
        QueueOf(lane).TryWrite(new PrepareItem(lane, source, consumedAt));
    }

    /// <summary>Consume thread: completes the lane once every message posted before has been started.</summary>
    public void PostComplete(PartitionLane lane) => QueueOf(lane).TryWrite(new PrepareItem(lane, null, 0));

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

    public void Dispose() => _room.Dispose();

    private async Task RunAsync(ChannelReader<PrepareItem> reader, Action<PrepareItem> start)
    {
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out var item))
            {
                if (item.Source is null)
                {
                    item.Lane.Complete();
                    continue;
                }

                start(item);
                if (Interlocked.Decrement(ref _backlog) == _maxBacklog / 2)
                {
                    _room.Set(); // resume the consume thread at half, not at every message
                }
            }
        }
    }
}

/// <summary>A consumed message on its way to a prepare loop; no <see cref="Source"/> marks the end of its lane.</summary>
internal readonly record struct PrepareItem(PartitionLane Lane, ConsumeResult<byte[]?, byte[]?>? Source, long ConsumedAt);
