using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Caching;

namespace IpEnrich.Worker.Tests.Caching;

public sealed class CachedStatsTests
{
    private static readonly DateTimeOffset Fetched = DateTimeOffset.FromUnixTimeMilliseconds(1_795_000_000_123);

    [Theory]
    [InlineData(IpLookupStatus.Found, 63515L, true)]
    [InlineData(IpLookupStatus.NotSeen, 0L, false)]
    [InlineData(IpLookupStatus.Invalid, 0L, false)]
    public void Round_trips_through_the_compact_format(IpLookupStatus status, long prevalence, bool dates)
    {
        var entry = new CachedStats(status, prevalence,
            dates ? DateTimeOffset.FromUnixTimeMilliseconds(1_501_420_566_000) : null,
            dates ? DateTimeOffset.FromUnixTimeMilliseconds(1_504_013_579_000) : null,
            Fetched, Fetched.AddHours(6));
        var text = entry.Encode();
        Assert.StartsWith("1|", text, StringComparison.Ordinal);
        Assert.True(text.Length < 80, text);
        Assert.Equal(entry, CachedStats.Decode(text));
    }

    [Fact]
    public void An_answer_computed_by_hunting_keeps_its_mark_through_the_cache_and_into_the_output()
    {
        var entry = new CachedStats(IpLookupStatus.Found, 12, Fetched.AddDays(-3), Fetched.AddMinutes(-5), Fetched, Fetched.AddHours(6), ViaHunting: true);
        var text = entry.Encode();
        Assert.EndsWith("|h", text, StringComparison.Ordinal);
        var decoded = CachedStats.Decode(text)!;
        Assert.Equal(entry, decoded);
        Assert.True(decoded.ToResult(LookupSource.Cache).ViaHunting);
        Assert.True(decoded.ToResult(LookupSource.Stale).ViaHunting);
        Assert.False(new CachedStats(IpLookupStatus.Found, 12, null, null, Fetched, Fetched.AddHours(6)).ToResult(LookupSource.Cache).ViaHunting);

        using var buffer = new MemoryStream();
        using (var w = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            IpEnrich.Core.Annotation.EnrichmentJson.WriteIpEntry(w, "192.0.2.1", decoded.ToResult(LookupSource.Cache));
        }

        var json = System.Text.Encoding.UTF8.GetString(buffer.ToArray());
        Assert.Contains("\"source\":\"cache\",\"via\":\"hunting\",\"fetchedAt\"", json, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("1|f|1|||1|2|x")]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("2|f|1|||1|2")]
    [InlineData("1|x|1|||1|2")]
    [InlineData("1|f|-1|||1|2")]
    [InlineData("1|f|1|||1")]
    [InlineData("garbage")]
    public void Anything_else_reads_as_a_miss(string? text) => Assert.Null(CachedStats.Decode(text));

    [Fact]
    public void Freshness_and_sources()
    {
        var entry = new CachedStats(IpLookupStatus.Found, 5, null, null, Fetched, Fetched.AddHours(1));
        Assert.True(entry.IsFreshAt(Fetched.AddMinutes(59)));
        Assert.False(entry.IsFreshAt(Fetched.AddHours(1)));
        var stale = entry.ToResult(LookupSource.Stale);
        Assert.Equal((IpLookupStatus.Found, LookupSource.Stale, Fetched), (stale.Status, stale.Source, stale.FetchedAt!.Value));
    }
}
