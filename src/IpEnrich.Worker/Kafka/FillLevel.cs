namespace IpEnrich.Worker.Kafka;

/// <summary>
/// How many items a stage of the pipeline holds and has not yet taken up, with a high mark that the consume thread
/// waits at before it polls. A stage slower than the consumer then holds a few hundred items rather than the whole
/// in-flight budget, and what it holds is still young when it is taken up. A waiter is woken when the level falls to
/// half the mark, not at every item; after a wait that ran out, the next call judges by the count alone. Items are
/// added and removed from any thread; only the consume thread waits.
/// </summary>
internal sealed class FillLevel : IDisposable
{
    private readonly ManualResetEventSlim _room = new(initialState: true);
    private int _count;

    public FillLevel(int highMark)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(highMark, 1);
        HighMark = highMark;
    }

    public int HighMark { get; }

    public int Count => Volatile.Read(ref _count);

    public void Add() => Interlocked.Increment(ref _count);

    public void Remove()
    {
        if (Interlocked.Decrement(ref _count) == HighMark / 2)
        {
            _room.Set();
        }
    }

    /// <summary>
    /// Consume thread (dedicated, so it may block): waits up to <paramref name="timeout"/> while the level is at its
    /// high mark; false when it still is.
    /// </summary>
    public bool WaitForRoom(TimeSpan timeout)
    {
        if (Count < HighMark)
        {
            return true;
        }

        _room.Reset();
        return Count < HighMark || (_room.Wait(timeout) && Count < HighMark);
    }

    public void Dispose() => _room.Dispose();
}
