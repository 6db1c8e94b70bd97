namespace IpEnrich.Worker.Pipeline;

/// <summary>Section <c>Enrichment</c> (DESIGN §6).</summary>
public sealed class EnrichmentOptions
{
    public const string SectionName = "Enrichment";

    /// <summary>The appended property (output contract).</summary>
    public string Property { get; set; } = "ipEnrichment";

    /// <summary>How long an alert waits for lookups before it is published with what is known (the rest <c>deferred</c>).</summary>
    public TimeSpan MaxWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Optional topic for late results of deferred lookups.</summary>
    public string? UpdatesTopic { get; set; }
}
