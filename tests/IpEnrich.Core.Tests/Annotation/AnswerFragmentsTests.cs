using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using IpEnrich.Core.Annotation;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Core.Tests.Annotation;

public sealed class AnswerFragmentsTests
{
    private static readonly DateTimeOffset FetchedAt = new(2026, 11, 23, 9, 12, 44, TimeSpan.Zero);
    private static readonly TriageRules Triage = new(3, 50, TimeSpan.FromHours(24));

    [Fact]
    public void A_fragment_is_the_entry_fields_after_a_comma()
    {
        var fragments = new AnswerFragments(Triage, default);
        var found = IpLookupResult.Found(new IpStats(2, FetchedAt.AddHours(-5), FetchedAt), LookupSource.Cache, FetchedAt);

        var text = Encoding.UTF8.GetString(fragments.Of(found));

        Assert.Equal(
            ",\"status\":\"found\",\"organizationPrevalence\":2,\"orgFirstSeen\":\"2026-11-23T04:12:44Z\",\"orgLastSeen\":\"2026-11-23T09:12:44Z\","
                + "\"rarity\":\"rare\",\"new\":true,\"source\":\"cache\",\"fetchedAt\":\"2026-11-23T09:12:44.000Z\"",
            text);
        using var parsed = JsonDocument.Parse("{" + text[1..] + "}");
        Assert.Equal(8, parsed.RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void An_answer_is_rendered_once_and_a_different_one_gets_its_own()
    {
        var fragments = new AnswerFragments(triage: null, default);
        var stats = new IpStats(63515, FetchedAt.AddDays(-30), FetchedAt);
        var first = IpLookupResult.Found(stats, LookupSource.Cache, FetchedAt);
        var again = IpLookupResult.Found(stats with { }, LookupSource.Cache, FetchedAt); // equal, not the same object
        var refreshed = IpLookupResult.Found(stats, LookupSource.Cache, FetchedAt.AddHours(1));

        var once = fragments.Of(first);
        var twice = fragments.Of(again);
        var later = fragments.Of(refreshed);

        Assert.True(Unsafe.AreSame(ref MemoryMarshal.GetReference(once), ref MemoryMarshal.GetReference(twice)));
        Assert.EndsWith("\"fetchedAt\":\"2026-11-23T10:12:44.000Z\"", Encoding.UTF8.GetString(later), StringComparison.Ordinal);
        Assert.NotEqual(once.ToArray(), later.ToArray());
    }

    [Theory]
    [InlineData("quota", ",\"status\":\"deferred\",\"reason\":\"quota\"")]
    [InlineData("timeout", ",\"status\":\"deferred\",\"reason\":\"timeout\"")]
    public void Deferred_answers_keep_their_reason(string reason, string expected)
    {
        var fragments = new AnswerFragments(Triage, default);

        Assert.Equal(expected, Encoding.UTF8.GetString(fragments.Of(IpLookupResult.Deferred(reason))));
    }
}
