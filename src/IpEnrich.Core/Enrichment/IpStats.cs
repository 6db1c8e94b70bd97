namespace IpEnrich.Core.Enrichment;

/// <summary>Organization statistics for one IP as Defender reports them.</summary>
public sealed record IpStats(long OrganizationPrevalence, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen);
