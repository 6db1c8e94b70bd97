using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Caching;

namespace IpEnrich.Worker.Tests.Caching;

public sealed class L1CacheTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_796_000_000);

    private static CachedStats Stats(long prevalence) => new(IpLookupStatus.Found, prevalence, Now.AddDays(-1), Now, Now, Now.AddHours(6));

    private static long? Prevalence(L1Cache<string> cache, string key, DateTimeOffset? at = null) =>
        cache.TryGet(key, at ?? Now, out var answer) ? answer.Stats?.OrganizationPrevalence ?? 0 : null;

    [Fact]
    public void Serves_an_entry_until_its_time_and_not_after()
    {
        var cache = new L1Cache<string>(100);
        cache.Set("a", Stats(1), Now.AddSeconds(60));

        Assert.Equal(1, Prevalence(cache, "a"));
        Assert.Equal(1, Prevalence(cache, "a", Now.AddSeconds(59)));
        Assert.Null(Prevalence(cache, "a", Now.AddSeconds(60)));
        Assert.Null(Prevalence(cache, "b"));
    }

    [Fact]
    public void A_newer_answer_replaces_the_entry()
    {
        var cache = new L1Cache<string>(100);
        cache.Set("a", Stats(1), Now.AddSeconds(60));
        cache.Set("a", Stats(2), Now.AddSeconds(60));

        Assert.Equal(2, Prevalence(cache, "a"));
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Holds_no_more_than_its_capacity_and_keeps_the_most_recent_entries()
    {
        var cache = new L1Cache<string>(100);
        for (var i = 0; i < 1_000; i++)
        {
            cache.Set($"k{i}", Stats(i), Now.AddMinutes(1));
            Assert.True(cache.Count <= 100, $"{cache.Count} entries after {i + 1} sets");
        }

        Assert.Null(Prevalence(cache, "k0"));
        Assert.Equal(999, Prevalence(cache, "k999"));
        Assert.Equal(950, Prevalence(cache, "k950"));
    }

    [Fact]
    public void An_entry_read_again_survives_the_next_rotation()
    {
        var cache = new L1Cache<string>(10);
        cache.Set("hot", Stats(7), Now.AddMinutes(1));
        for (var i = 0; i < 20; i++)
        {
            cache.Set($"k{i}", Stats(i), Now.AddMinutes(1));
            Assert.Equal(7, Prevalence(cache, "hot")); // each read carries it into the current generation
        }
    }

    [Fact]
    public void Concurrent_readers_and_writers_stay_within_the_bound()
    {
        var cache = new L1Cache<string>(1_000);
        Parallel.For(0, 4, worker =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                var key = $"k{(i * 7919 + worker) % 5_000}";
                if (!cache.TryGet(key, Now, out _))
                {
                    cache.Set(key, Stats(i), Now.AddMinutes(1));
                }
            }
        });

        Assert.InRange(cache.Count, 1, 1_000 + 4); // racing adds may pass the bound by one per thread before the rotation
    }
}
