namespace IpEnrich.Worker.Quota;

/// <summary>Section <c>Quota</c>: the API's per-application limits, shared by every replica (docs/architecture.md §4).</summary>
public sealed class QuotaOptions
{
    public const string SectionName = "Quota";

    public int PerMinute { get; set; } = 100;

    public int PerHour { get; set; } = 1500;

    /// <summary>Fraction of each limit left unused, for clock differences and other users of the same app.</summary>
    public double SafetyMargin { get; set; } = 0.05;

    /// <summary>Fraction of the hourly budget only high and critical alerts may spend.</summary>
    public double HighPriorityReserve { get; set; } = 0.2;

    /// <summary>Replicas sharing the budget; the local fallback limiter (Redis unreachable) takes 1/N of it.</summary>
    public int ExpectedReplicas { get; set; } = 1;

    public TimeSpan MinuteWindow { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan HourWindow { get; set; } = TimeSpan.FromHours(1);

    public int EffectivePerMinute => Math.Max(1, (int)Math.Floor(PerMinute * (1 - SafetyMargin)));

    public int EffectivePerHour => Math.Max(1, (int)Math.Floor(PerHour * (1 - SafetyMargin)));

    public int ReserveFor(IpEnrich.Core.Enrichment.AlertPriority priority) =>
        priority >= IpEnrich.Core.Enrichment.AlertPriority.High ? 0 : (int)Math.Ceiling(EffectivePerHour * HighPriorityReserve);
}
