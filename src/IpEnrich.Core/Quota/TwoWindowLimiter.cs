namespace IpEnrich.Core.Quota;

/// <summary>
/// An exact sliding-log limiter over two windows ("at most N in any minute and M in any hour"), not a bursty bucket.
/// A refusal says how long until a slot frees in every full window. Thread-safe; time from the given TimeProvider.
/// </summary>
public sealed class TwoWindowLimiter(TimeProvider time, QuotaWindow shortWindow, QuotaWindow longWindow)
{
    private readonly Queue<long> _short = new();
    private readonly Queue<long> _long = new();
    private readonly Lock _gate = new();

    /// <summary>Takes one slot if both windows have room, leaving <paramref name="reserve"/> long-window slots untouched.</summary>
    public bool TryAcquire(int reserve, out TimeSpan retryAfter)
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            Prune(_short, now, shortWindow.Length);
            Prune(_long, now, longWindow.Length);
            retryAfter = TimeSpan.Zero;
            if (_short.Count >= shortWindow.Limit)
            {
                retryAfter = Max(retryAfter, shortWindow.Length - time.GetElapsedTime(_short.Peek(), now));
            }

            if (_long.Count >= Math.Max(0, longWindow.Limit - reserve))
            {
                // With a reserve, the oldest slot to free is the one that brings the count under the limit.
                var slot = _long.Count - Math.Max(0, longWindow.Limit - reserve);
                var oldest = slot < _long.Count ? _long.ElementAt(slot) : now;
                retryAfter = Max(retryAfter, longWindow.Length - time.GetElapsedTime(oldest, now));
            }

            if (retryAfter > TimeSpan.Zero || _short.Count >= shortWindow.Limit)
            {
                retryAfter = Max(retryAfter, TimeSpan.FromMilliseconds(1));
                return false;
            }

            _short.Enqueue(now);
            _long.Enqueue(now);
            return true;
        }
    }

    /// <summary>Slots left in each window now (for the <c>ipenrich.quota.remaining</c> gauge).</summary>
    public (int Short, int Long) Remaining()
    {
        lock (_gate)
        {
            var now = time.GetTimestamp();
            Prune(_short, now, shortWindow.Length);
            Prune(_long, now, longWindow.Length);
            return (shortWindow.Limit - _short.Count, longWindow.Limit - _long.Count);
        }
    }

    private void Prune(Queue<long> log, long now, TimeSpan length)
    {
        while (log.Count > 0 && time.GetElapsedTime(log.Peek(), now) >= length)
        {
            log.Dequeue();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>A window: at most <paramref name="Limit"/> calls in any <paramref name="Length"/>.</summary>
public readonly record struct QuotaWindow(int Limit, TimeSpan Length);
