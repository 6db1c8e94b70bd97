using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// The bytes of consumed messages the process holds between consume and produce, over all its partitions: with it,
/// memory is bounded by <see cref="KafkaOptions.MaxInFlightBytes"/> rather than by partitions ×
/// <see cref="KafkaOptions.MaxInFlightPerPartition"/> × message size, which a few crafted 1 MB alerts, or one worker
/// left with every partition, turned into gigabytes. Taken on the consume thread only; returned from any thread.
/// </summary>
internal sealed class InFlightBudget
{
    /// <summary>
    /// What the worker holds per message besides its bytes: the output buffer rented for the enrichment, the records,
    /// the lookups' state while it waits for answers, and the heap that keeping them alive costs. Measured as the growth
    /// of a cold worker's peak memory per alert in flight (docs/performance.md), so that the budget is about real bytes.
    /// </summary>
    public const int PerMessageOverhead = 16 * 1024;

    private readonly long _maxBytes;
    private long _held;

    public InFlightBudget(long maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _maxBytes = maxBytes;
    }

    /// <summary>No bound but the lanes' own: for parts tested without the pipeline.</summary>
    public static InFlightBudget Unlimited { get; } = new(long.MaxValue / 4);

    /// <summary>Bytes held now.</summary>
    public long Held => Interlocked.Read(ref _held);

    /// <summary>What <paramref name="message"/> counts against the budget.</summary>
    public static long ChargeOf(ConsumeResult<byte[]?, byte[]?> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return (message.Message.Value?.Length ?? 0) + (message.Message.Key?.Length ?? 0) + PerMessageOverhead;
    }

    /// <summary>
    /// Consume thread: takes <paramref name="charge"/> bytes; false when they would pass the bound. A message alone
    /// always fits, so one larger than the whole budget still goes through (by itself) instead of stalling the worker.
    /// </summary>
    public bool TryTake(long charge)
    {
        if (!Fits(charge)) // only the consume thread adds: what others do meanwhile only lowers the count
        {
            return false;
        }

        Interlocked.Add(ref _held, charge);
        return true;
    }

    /// <summary>Whether <paramref name="charge"/> bytes may be taken now.</summary>
    public bool Fits(long charge)
    {
        var held = Interlocked.Read(ref _held);
        return held <= 0 || held + charge <= _maxBytes;
    }

    public void Return(long charge) => Interlocked.Add(ref _held, -charge);
}
