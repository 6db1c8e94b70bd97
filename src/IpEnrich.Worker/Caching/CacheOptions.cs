namespace IpEnrich.Worker.Caching;

/// <summary>Section <c>Cache</c> (README, lookup service).</summary>
public sealed class CacheOptions
{
    public const string SectionName = "Cache";

    /// <summary>Names the tenant/cloud in keys; default <c>{cloud}-{tenantId}</c>.</summary>
    public string? Profile { get; set; }

    public TimeSpan FoundTtl { get; set; } = TimeSpan.FromHours(6);

    public TimeSpan NotSeenTtl { get; set; } = TimeSpan.FromHours(1);

    public TimeSpan InvalidTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Each TTL varies by ± this fraction so entries written together do not expire together.</summary>
    public double TtlJitter { get; set; } = 0.1;

    /// <summary>How long past its TTL an entry is kept to be served as <c>stale</c> when the API cannot be asked.</summary>
    public TimeSpan MaxStale { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Entries in the in-process cache in front of Redis (count-limited); 0 disables it.</summary>
    public int L1Capacity { get; set; } = 100_000;

    public TimeSpan L1Ttl { get; set; } = TimeSpan.FromSeconds(60);
}
