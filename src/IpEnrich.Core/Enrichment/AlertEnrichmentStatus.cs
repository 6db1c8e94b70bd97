namespace IpEnrich.Core.Enrichment;

/// <summary>The alert-level status: also the value of the <c>ipenrich-status</c> header.</summary>
public enum AlertEnrichmentStatus
{
    /// <summary>Every looked-up IP has a final answer (found, not seen or invalid).</summary>
    Complete,

    /// <summary>Some, not all, looked-up IPs have a final answer.</summary>
    Partial,

    /// <summary>No looked-up IP has a final answer yet (quota, timeout or outage).</summary>
    Deferred,

    /// <summary>The alert has no IP to look up.</summary>
    None,
}
