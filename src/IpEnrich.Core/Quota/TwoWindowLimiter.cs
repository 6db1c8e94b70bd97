namespace IpEnrich.Core.Quota;

/// <summary>
/// An exact sliding-log limiter over two windows ("at most N in any minute and M in any hour"), not a bursty bucket.
/// A refusal says how long until a slot frees in every full window. A granted slot can be stamped again later (when
/// the call it granted has reached the API), so the log never frees a slot before the API does. Thread-safe; time
/// from the given TimeProvider.
/// </summary>
public sealed class TwoWindowLimiter(TimeProvider time, QuotaWindow shortWindow, QuotaWindow longWindow)
{
    private readonly SortedSet<(long At, long Slot)> _short = [];
    private readonly SortedSet<(long At, long Slot)> _long = [];
    private readonly Dictionary<long, long> _stamps = []; // slot → its time, while the long window holds it
    private readonly Lock _gate = new();
    private long _lastSlot;

    /// <summary>Takes one slot if both windows have room, leaving <paramref name="reserve"/> long-window slots untouched.</summary>
    public bool TryAcquire(int reserve, out TimeSpan retryAfter) => TryAcquire(reserve, out retryAfter, out _);

    /// <inheritdoc cref="TryAcquire(int, out TimeSpan)"/>
    /// <param name="slot">The slot taken, for <see cref="Restamp"/>.</param>
    public bool TryAcquire(int reserve, out TimeSpan retryAfter, out long slot)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            Prune(now);
            slot = 0;
            retryAfter = TimeSpan.Zero;
            if (_short.Count >= shortWindow.Limit)
            {
                retryAfter = Max(retryAfter, shortWindow.Length - time.GetElapsedTime(_short.Min.At, now));
            }

            var longCap = Math.Max(0, longWindow.Limit - reserve);
            if (_long.Count >= longCap)
            {
                // With a reserve, the oldest slot to free is the one that brings the count under the limit.
                var index = _long.Count - longCap;
                var oldest = index < _long.Count ? _long.ElementAt(index).At : now;
                retryAfter = Max(retryAfter, longWindow.Length - time.GetElapsedTime(oldest, now));
            }

            if (retryAfter > TimeSpan.Zero || _short.Count >= shortWindow.Limit)
            {
                retryAfter = Max(retryAfter, TimeSpan.FromMilliseconds(1));
                return false;
            }

            slot = ++_lastSlot;
            Stamp(slot, now);
            return true;
        }
    }

    /// <summary>Counts <paramref name="slot"/> from now, in both windows, as if it had been taken now.</summary>
    public void Restamp(long slot)
    {
        lock (_gate)
        {
            Unstamp(slot);
            Stamp(slot, time.GetTimestamp());
        }
    }

    /// <summary>Frees <paramref name="slot"/> in both windows: the call it granted was never made.</summary>
    public void Release(long slot)
    {
        lock (_gate)
        {
            Unstamp(slot);
        }
    }

    /// <summary>
    /// Counts slots taken elsewhere (by other replicas, before this limiter took over) as taken now: conservative, since
    /// they free a whole window from now. They are not <see cref="HeldAges"/>.
    /// </summary>
    public void Occupy(int shortCount, int longCount)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            for (var i = 1; i <= Math.Max(shortCount, longCount); i++)
            {
                if (i <= shortCount)
                {
                    _short.Add((now, -i));
                }

                if (i <= longCount)
                {
                    _long.Add((now, -i));
                }
            }
        }
    }

    /// <summary>How long ago each slot this limiter granted (and the long window still holds) was taken.</summary>
    public IReadOnlyList<TimeSpan> HeldAges()
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            Prune(now);
            return [.. _long.Where(s => s.Slot > 0).Select(s => time.GetElapsedTime(s.At, now))];
        }
    }

    /// <summary>Slots left in each window now (for the <c>ipenrich.quota.remaining</c> gauge).</summary>
    public (int Short, int Long) Remaining()
    {
        lock (_gate)
        {
            Prune(time.GetTimestamp());
            return (shortWindow.Limit - _short.Count, longWindow.Limit - _long.Count);
        }
    }

    private void Unstamp(long slot)
    {
        if (_stamps.Remove(slot, out var at))
        {
            _short.Remove((at, slot));
            _long.Remove((at, slot));
        }
    }

    private void Stamp(long slot, long at)
    {
        _short.Add((at, slot));
        _long.Add((at, slot));
        _stamps[slot] = at;
    }

    private void Prune(long now)
    {
        while (_short.Count > 0 && time.GetElapsedTime(_short.Min.At, now) >= shortWindow.Length)
        {
            _short.Remove(_short.Min);
        }

        while (_long.Count > 0 && time.GetElapsedTime(_long.Min.At, now) >= longWindow.Length)
        {
            var oldest = _long.Min;
            _long.Remove(oldest);
            _stamps.Remove(oldest.Slot);
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>A window: at most <paramref name="Limit"/> calls in any <paramref name="Length"/>.</summary>
public readonly record struct QuotaWindow(int Limit, TimeSpan Length);
