using System.Collections.Concurrent;
using IpEnrich.Emulator.Options;

namespace IpEnrich.Emulator.Quota;

/// <summary>
/// The documented per-application limits as exact sliding windows ("at most N calls in any 60 s / 3600 s").
/// Every admitted request counts whatever its answer; a refused one does not, and its Retry-After is exactly
/// long enough for a slot to free in every full window.
/// </summary>
public sealed class ApiQuota(TimeProvider time, QuotaOptions options)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, SlidingLog> _logs = new(StringComparer.Ordinal);

    public bool TryAdmit(string application, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!options.Enabled)
        {
            return true;
        }

        var log = _logs.GetOrAdd(application, _ => new SlidingLog());
        var now = time.GetTimestamp();
        lock (log)
        {
            Prune(log.Minute, now, Minute);
            Prune(log.Hour, now, Hour);
            var wait = TimeSpan.Zero;
            if (log.Minute.Count >= options.PerMinute)
            {
                wait = Max(wait, Minute - time.GetElapsedTime(log.Minute.Peek(), now));
            }

            if (log.Hour.Count >= options.PerHour)
            {
                wait = Max(wait, Hour - time.GetElapsedTime(log.Hour.Peek(), now));
            }

            if (wait > TimeSpan.Zero)
            {
                retryAfter = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(wait.TotalSeconds)));
                return false;
            }

            log.Minute.Enqueue(now);
            log.Hour.Enqueue(now);
            return true;
        }
    }

    private void Prune(Queue<long> window, long now, TimeSpan length)
    {
        while (window.Count > 0 && time.GetElapsedTime(window.Peek(), now) >= length)
        {
            window.Dequeue();
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    private sealed class SlidingLog
    {
        public Queue<long> Minute { get; } = new();

        public Queue<long> Hour { get; } = new();
    }
}
