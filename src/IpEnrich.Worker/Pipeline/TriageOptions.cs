using IpEnrich.Core.Enrichment;

using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Pipeline;

/// <summary>
/// Section <c>Triage</c>: what the numbers mean (README, output contract). Defaults: an IP seen by at most 3 devices
/// is rare (a handful of hosts, typical of targeted activity), up to 50 uncommon, more common; first seen within 24 h
/// of the answer is new.
/// </summary>
public sealed class TriageOptions : IValidatableObject
{
    public const string SectionName = "Triage";

    public bool Enabled { get; set; } = true;

    [Range(typeof(long), "0", "1000000000")]
    public long RareAtMost { get; set; } = 3;

    [Range(typeof(long), "0", "1000000000")]
    public long UncommonAtMost { get; set; } = 50;

    [DurationRange("1s", "365d")]
    public TimeSpan NewWithin { get; set; } = TimeSpan.FromHours(24);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (UncommonAtMost < RareAtMost)
        {
            yield return new ValidationResult($"{SectionName}:UncommonAtMost must not be below {SectionName}:RareAtMost");
        }
    }

    /// <summary>The rules, or null when triage is off.</summary>
    public TriageRules? ToRules() => Enabled ? new TriageRules(RareAtMost, UncommonAtMost, NewWithin) : null;
}

/// <summary>Checks <see cref="TriageOptions"/> at start, generated from its attributes and rules.</summary>
[OptionsValidator]
internal sealed partial class TriageOptionsValidator : IValidateOptions<TriageOptions>;
