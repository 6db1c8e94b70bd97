using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Quota;

/// <summary>Section <c>Quota</c>: the API's per-application limits, shared by every replica (docs/architecture.md §4).</summary>
public sealed class QuotaOptions : IValidatableObject
{
    public const string SectionName = "Quota";

    [Range(1, 100_000)]
    public int PerMinute { get; set; } = 100;

    [Range(1, 10_000_000)]
    public int PerHour { get; set; } = 1500;

    /// <summary>Fraction of each limit left unused, for clock differences and other users of the same app.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double SafetyMargin { get; set; } = 0.05;

    /// <summary>Fraction of the hourly budget only high and critical alerts may spend.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double HighPriorityReserve { get; set; } = 0.2;

    /// <summary>Replicas sharing the budget; the local fallback limiter (Redis unreachable) takes 1/N of it.</summary>
    [Range(1, 1000)]
    public int ExpectedReplicas { get; set; } = 1;

    // Shorter windows exist for tests; the API's own are 1m and 1h.
    [DurationRange("1s", "1d")]
    public TimeSpan MinuteWindow { get; set; } = TimeSpan.FromMinutes(1);

    [DurationRange("1s", "1d")]
    public TimeSpan HourWindow { get; set; } = TimeSpan.FromHours(1);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinuteWindow > HourWindow)
        {
            yield return new ValidationResult($"{SectionName}:MinuteWindow must not be above {SectionName}:HourWindow");
        }
    }

    public int EffectivePerMinute => Math.Max(1, (int)Math.Floor(PerMinute * (1 - SafetyMargin)));

    public int EffectivePerHour => Math.Max(1, (int)Math.Floor(PerHour * (1 - SafetyMargin)));

    public int ReserveFor(IpEnrich.Core.Enrichment.AlertPriority priority) =>
        priority >= IpEnrich.Core.Enrichment.AlertPriority.High ? 0 : (int)Math.Ceiling(EffectivePerHour * HighPriorityReserve);
}

/// <summary>Checks <see cref="QuotaOptions"/> at start, generated from its attributes and rules.</summary>
[OptionsValidator]
internal sealed partial class QuotaOptionsValidator : IValidateOptions<QuotaOptions>;
