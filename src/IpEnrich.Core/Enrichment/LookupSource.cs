namespace IpEnrich.Core.Enrichment;

/// <summary>Where an answer came from: a cache, the API, or a cache entry past its TTL served because the API could not be asked.</summary>
public enum LookupSource
{
    None,
    Cache,
    Api,
    Stale,
}
