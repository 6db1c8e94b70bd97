namespace IpEnrich.Core.Enrichment;

/// <summary>How urgent an alert's lookups are; high and critical may spend the reserved share of the hourly quota.</summary>
public enum AlertPriority
{
    Low,
    Normal,
    High,
    Critical,
}
