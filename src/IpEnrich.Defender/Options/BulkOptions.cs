using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Defender.Options;

/// <summary>
/// Section <c>Bulk</c>: bulk statistics through Microsoft Graph advanced hunting (docs/architecture.md §4.2). Opt-in:
/// it needs the <c>ThreatHunting.Read.All</c> application permission and spends the tenant's hunting CPU allocation.
/// </summary>
public sealed class BulkOptions : IValidatableObject
{
    public const string SectionName = "Bulk";

    public bool Enabled { get; set; }

    /// <summary>IPs per query (one call to <c>runHuntingQuery</c>).</summary>
    [Range(1, 10_000)]
    public int MaxIpsPerQuery { get; set; } = 500;

    /// <summary>Hunting calls a minute, shared by every replica (the service promises at least 45 per tenant).</summary>
    [Range(1, 10_000)]
    public int PerMinute { get; set; } = 45;

    /// <summary>Hunting calls an hour, shared by every replica.</summary>
    [Range(1, 1_000_000)]
    public int PerHour { get; set; } = 1500;

    /// <summary>How long one query may run; the service stops a query after 3 minutes.</summary>
    [DurationRange("1s", "10m")]
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromMinutes(3.5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PerMinute > PerHour)
        {
            yield return new ValidationResult($"{SectionName}:PerHour must not be below {SectionName}:PerMinute");
        }
    }
}

/// <summary>Checks <see cref="BulkOptions"/> at start, generated from its attributes and rules.</summary>
[OptionsValidator]
public sealed partial class BulkOptionsValidator : IValidateOptions<BulkOptions>;
