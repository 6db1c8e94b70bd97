using System.Globalization;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Quota;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Quota;

/// <summary>
/// The in-process limiter: the whole budget in single-instance mode, 1/<see cref="QuotaOptions.ExpectedReplicas"/>
/// of it as the fallback when Redis is unreachable. Same exact two-window algorithm as the shared one.
/// </summary>
public sealed class LocalQuotaGate : IQuotaGate
{
    /// <summary>Marks slots this gate granted (the shared gate's fallback hands them back here).</summary>
    public const string SlotPrefix = "local:";

    private TwoWindowLimiter _limiter;
    private readonly QuotaOptions _options;
    private readonly TimeProvider _time;
    private readonly int _replicas;
    private long _pausedUntil;

    public LocalQuotaGate(IOptions<QuotaOptions> options, TimeProvider time, bool shareOfReplicas = false)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options.Value;
        _time = time;
        _replicas = shareOfReplicas ? Math.Max(1, _options.ExpectedReplicas) : 1;
        _limiter = NewLimiter();
    }

    /// <summary>
    /// Starts afresh as the fallback, with this replica's share of what every replica spent before
    /// (<paramref name="spentMinute"/>, <paramref name="spentHour"/>, as the shared windows last said) counted as spent.
    /// </summary>
    public void StartOver(int spentMinute, int spentHour)
    {
        var limiter = NewLimiter();
        limiter.Occupy(spentMinute / _replicas, spentHour / _replicas);
        Volatile.Write(ref _limiter, limiter);
    }

    /// <summary>How long ago each slot this gate granted (within the long window) was taken, for the shared windows to count.</summary>
    public IReadOnlyList<TimeSpan> GrantedAges() => Volatile.Read(ref _limiter).HeldAges();

    private TwoWindowLimiter NewLimiter() => new(_time,
        new QuotaWindow(Math.Max(1, _options.EffectivePerMinute / _replicas), _options.MinuteWindow),
        new QuotaWindow(Math.Max(1, _options.EffectivePerHour / _replicas), _options.HourWindow));

    public (int Minute, int Hour) Remaining => Volatile.Read(ref _limiter).Remaining();

    public Task<QuotaDecision> TryAcquireAsync(AlertPriority priority, CancellationToken cancellationToken)
    {
        var paused = Interlocked.Read(ref _pausedUntil) - _time.GetUtcNow().ToUnixTimeMilliseconds();
        if (paused > 0)
        {
            return Task.FromResult(QuotaDecision.Deny(TimeSpan.FromMilliseconds(paused)));
        }

        var reserve = _options.ReserveFor(priority) / _replicas;
        return Task.FromResult(Volatile.Read(ref _limiter).TryAcquire(reserve, out var retryAfter, out var slot)
            ? QuotaDecision.Granted(SlotPrefix + slot.ToString(CultureInfo.InvariantCulture))
            : QuotaDecision.Deny(retryAfter));
    }

    public Task RestampAsync(QuotaDecision decision, CancellationToken cancellationToken)
    {
        if (SlotId(decision) is { } id)
        {
            Volatile.Read(ref _limiter).Restamp(id);
        }

        return Task.CompletedTask;
    }

    public Task ReleaseAsync(QuotaDecision decision, CancellationToken cancellationToken)
    {
        if (SlotId(decision) is { } id)
        {
            Volatile.Read(ref _limiter).Release(id);
        }

        return Task.CompletedTask;
    }

    private static long? SlotId(QuotaDecision decision) =>
        decision.Slot is { } slot && slot.StartsWith(SlotPrefix, StringComparison.Ordinal)
        && long.TryParse(slot.AsSpan(SlotPrefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var id) ? id : null;

    public Task PauseAsync(TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        var until = (_time.GetUtcNow() + retryAfter).ToUnixTimeMilliseconds();
        long current;
        do
        {
            current = Interlocked.Read(ref _pausedUntil);
        }
        while (until > current && Interlocked.CompareExchange(ref _pausedUntil, until, current) != current);

        return Task.CompletedTask;
    }
}
