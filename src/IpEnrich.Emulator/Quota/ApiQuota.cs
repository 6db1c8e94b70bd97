using System.Collections.Concurrent;
using IpEnrich.Core.Quota;
using IpEnrich.Emulator.Options;

namespace IpEnrich.Emulator.Quota;

/// <summary>
/// The documented per-application limits as exact sliding windows ("at most N calls in any 60 s / 3600 s").
/// Every admitted request counts whatever its answer; a refused one does not, and its Retry-After (whole seconds,
/// rounded up) is long enough for a slot to free in every full window.
/// </summary>
public sealed class ApiQuota(TimeProvider time, QuotaOptions options)
{
    private readonly ConcurrentDictionary<string, TwoWindowLimiter> _limiters = new(StringComparer.Ordinal);

    public bool TryAdmit(string application, out TimeSpan retryAfter)
    {
        retryAfter = TimeSpan.Zero;
        if (!options.Enabled)
        {
            return true;
        }

        var limiter = _limiters.GetOrAdd(application, _ => new TwoWindowLimiter(time,
            new QuotaWindow(options.PerMinute, options.MinuteWindow), new QuotaWindow(options.PerHour, options.HourWindow)));
        if (limiter.TryAcquire(reserve: 0, out var wait))
        {
            return true;
        }

        retryAfter = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(wait.TotalSeconds)));
        return false;
    }
}
