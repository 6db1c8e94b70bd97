using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Pipeline;

/// <summary>Section <c>Enrichment</c>: what is added to each alert, and how long an alert waits for it.</summary>
public sealed class EnrichmentOptions
{
    public const string SectionName = "Enrichment";

    /// <summary>The appended property (output contract).</summary>
    [Required(ErrorMessage = "{0} must not be empty")]
    public string Property { get; set; } = "ipEnrichment";

    /// <summary>How long an alert waits for lookups before it is published with what is known (the rest <c>deferred</c>).</summary>
    [DurationRange("1ms", "5m")]
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Optional topic for late results of deferred lookups.</summary>
    public string? UpdatesTopic { get; set; }
}

/// <summary>Checks <see cref="EnrichmentOptions"/> at start, generated from its attributes.</summary>
[OptionsValidator]
internal sealed partial class EnrichmentOptionsValidator : IValidateOptions<EnrichmentOptions>;
