using IpEnrich.Core.Enrichment;

namespace IpEnrich.Core.Tests.Enrichment;

public sealed class TriageRulesTests
{
    private static readonly DateTimeOffset Fetched = new(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
    private static readonly TriageRules Rules = new(rareAtMost: 3, uncommonAtMost: 50, newWithin: TimeSpan.FromHours(24));

    private static IpLookupResult Found(long devices, DateTimeOffset? firstSeen = null, LookupSource source = LookupSource.Api) =>
        IpLookupResult.Found(new IpStats(devices, firstSeen ?? Fetched.AddDays(-30), Fetched.AddMinutes(-1)), source, Fetched);

    [Theory]
    [InlineData(0, Rarity.Unseen)]
    [InlineData(1, Rarity.Rare)]
    [InlineData(3, Rarity.Rare)]
    [InlineData(4, Rarity.Uncommon)]
    [InlineData(50, Rarity.Uncommon)]
    [InlineData(51, Rarity.Common)]
    public void Rarity_at_every_threshold(long devices, Rarity expected) => Assert.Equal(expected, Rules.RarityOf(Found(devices)));

    [Fact]
    public void New_means_first_seen_at_most_new_within_before_the_answer()
    {
        Assert.True(Rules.IsNew(Found(2, Fetched.AddHours(-24)))); // exactly NewWithin ago
        Assert.False(Rules.IsNew(Found(2, Fetched.AddHours(-24).AddTicks(-1))));
        Assert.True(Rules.IsNew(Found(2, Fetched)));
        Assert.False(Rules.IsNew(IpLookupResult.NotSeen(LookupSource.Api, Fetched)));
    }

    [Fact]
    public void Stale_answers_carry_the_signals_of_their_stale_numbers()
    {
        var stale = Found(2, Fetched.AddHours(-1), LookupSource.Stale);
        Assert.Equal(Rarity.Rare, Rules.RarityOf(stale));
        Assert.True(Rules.IsNew(stale)); // new as of when it was fetched, as the numbers are
        Assert.Equal(Rarity.Unseen, Rules.RarityOf(IpLookupResult.NotSeen(LookupSource.Stale, Fetched)));
    }

    [Fact]
    public void Only_found_and_not_seen_answers_have_a_rarity()
    {
        Assert.Null(Rules.RarityOf(IpLookupResult.Deferred("quota")));
        Assert.Null(Rules.RarityOf(IpLookupResult.Invalid(LookupSource.Api, Fetched)));
        Assert.Null(Rules.RarityOf(IpLookupResult.Error("boom")));
    }

    [Fact]
    public void The_alert_triage_is_the_rarest_class_and_the_count_of_new_ips_over_final_answers()
    {
        IpLookupResult[] results = [Found(60), Found(2, Fetched.AddHours(-2)), IpLookupResult.Deferred("timeout"), Found(10, Fetched.AddHours(-3))];
        Assert.Equal(new AlertTriage(Rarity.Rare, 2), AlertTriage.Of(results, Rules));
        Assert.Equal(new AlertTriage(Rarity.Unseen, 2), AlertTriage.Of(results, Rules).With(IpLookupResult.NotSeen(LookupSource.Api, Fetched), Rules));
        Assert.True(AlertTriage.Of([IpLookupResult.Deferred("quota"), IpLookupResult.Invalid(LookupSource.Api, Fetched)], Rules).IsEmpty);
        Assert.True(AlertTriage.Of(results, rules: null).IsEmpty); // triage off
    }

    [Fact]
    public void Class_names_round_trip()
    {
        foreach (var rarity in Enum.GetValues<Rarity>())
        {
            Assert.True(TriageRules.TryParse(TriageRules.Text(rarity), out var parsed));
            Assert.Equal(rarity, parsed);
        }

        Assert.False(TriageRules.TryParse("Rare", out _));
    }
}
