namespace IpEnrich.Core.Enrichment;

/// <summary>The outcome of looking one IP up (docs/output-contract.md). <c>skipped</c> is decided at extraction.</summary>
public enum IpLookupStatus
{
    Found,
    NotSeen,
    Invalid,
    Deferred,
    Error,
}
