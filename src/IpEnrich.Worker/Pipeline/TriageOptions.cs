using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Pipeline;

/// <summary>
/// Section <c>Triage</c>: what the numbers mean (README, output contract). Defaults: an IP seen by at most 3 devices
/// is rare (a handful of hosts, typical of targeted activity), up to 50 uncommon, more common; first seen within 24 h
/// of the answer is new.
/// </summary>
public sealed class TriageOptions
{
    public const string SectionName = "Triage";

    public bool Enabled { get; set; } = true;

    public long RareAtMost { get; set; } = 3;

    public long UncommonAtMost { get; set; } = 50;

    public TimeSpan NewWithin { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The rules, or null when triage is off.</summary>
    public TriageRules? ToRules() => Enabled ? new TriageRules(RareAtMost, UncommonAtMost, NewWithin) : null;
}
