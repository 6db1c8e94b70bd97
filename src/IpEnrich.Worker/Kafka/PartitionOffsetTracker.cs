namespace IpEnrich.Worker.Kafka;

/// <summary>
/// The contiguous delivered watermark of one partition (as in kafkaflow): messages finish out of order, but the offset
/// to store is only ever one past the longest prefix of consumed offsets whose output (or dead letter) is acknowledged.
/// Not thread-safe: one per partition, driven by the consume loop.
/// </summary>
public sealed class PartitionOffsetTracker
{
    private readonly Queue<long> _pending = new();
    private readonly HashSet<long> _done = [];
    private long _last = -1;

    /// <summary>Messages consumed and not yet part of the committed prefix (bounds the in-flight window).</summary>
    public int InFlight => _pending.Count;

    /// <summary>Records a consumed offset; offsets must arrive in increasing order, as a partition delivers them.</summary>
    public void Consumed(long offset)
    {
        if (_pending.Count > 0 && offset <= _last)
        {
            throw new InvalidOperationException($"offset {offset} consumed out of order after {_last}");
        }

        _pending.Enqueue(offset);
        _last = offset;
    }

    /// <summary>Marks an offset delivered; returns the next offset to store when the prefix grew, else null.</summary>
    public long? Delivered(long offset)
    {
        _done.Add(offset);
        long? storable = null;
        while (_pending.Count > 0 && _done.Remove(_pending.Peek()))
        {
            storable = _pending.Dequeue() + 1; // Kafka stores the next offset to read
        }

        return storable;
    }
}
