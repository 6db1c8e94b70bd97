using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Caching;

/// <summary>Section <c>Cache</c>: how long answers are kept, in Redis and in the process.</summary>
public sealed class CacheOptions
{
    public const string SectionName = "Cache";

    /// <summary>Names the tenant/cloud in keys; default <c>{cloud}-{tenantId}</c>.</summary>
    public string? Profile { get; set; }

    [DurationRange("1s", "365d")]
    public TimeSpan FoundTtl { get; set; } = TimeSpan.FromHours(6);

    [DurationRange("1s", "365d")]
    public TimeSpan NotSeenTtl { get; set; } = TimeSpan.FromHours(1);

    [DurationRange("1s", "365d")]
    public TimeSpan InvalidTtl { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Each TTL varies by ± this fraction so entries written together do not expire together.</summary>
    [Range(0.0, 1.0, MaximumIsExclusive = true)]
    public double TtlJitter { get; set; } = 0.1;

    /// <summary>How long past its TTL an entry is kept to be served as <c>stale</c> when the API cannot be asked.</summary>
    [DurationRange("0s", "365d")]
    public TimeSpan MaxStale { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Entries in the in-process cache in front of Redis (count-limited); 0 disables it.</summary>
    [Range(0, 10_000_000)]
    public int L1Capacity { get; set; } = 100_000;

    [DurationRange("1s", "1d")]
    public TimeSpan L1Ttl { get; set; } = TimeSpan.FromSeconds(60);
}

/// <summary>Checks <see cref="CacheOptions"/> at start, generated from its attributes.</summary>
[OptionsValidator]
internal sealed partial class CacheOptionsValidator : IValidateOptions<CacheOptions>;
