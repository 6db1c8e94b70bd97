namespace IpEnrich.Core.Enrichment;

/// <summary>
/// What the numbers of a final answer mean for triage (section <c>Triage</c>): its rarity by device count, and whether
/// the organization first saw it within <see cref="NewWithin"/> of the answer.
/// </summary>
public sealed class TriageRules(long rareAtMost, long uncommonAtMost, TimeSpan newWithin)
{
    public long RareAtMost => rareAtMost;

    public long UncommonAtMost => uncommonAtMost;

    public TimeSpan NewWithin => newWithin;

    /// <summary>The rarity of a found or not-seen answer (stale ones included); null for anything else.</summary>
    public Rarity? RarityOf(in IpLookupResult result) => result.Status switch
    {
        IpLookupStatus.NotSeen => Rarity.Unseen,
        IpLookupStatus.Found => result.Stats!.OrganizationPrevalence switch
        {
            <= 0 => Rarity.Unseen,
            var devices when devices <= rareAtMost => Rarity.Rare,
            var devices when devices <= uncommonAtMost => Rarity.Uncommon,
            _ => Rarity.Common,
        },
        _ => null,
    };

    /// <summary>True when the organization first saw the IP at most <see cref="NewWithin"/> before the answer was fetched.</summary>
    public bool IsNew(in IpLookupResult result) =>
        result is { Status: IpLookupStatus.Found, Stats.FirstSeen: { } first, FetchedAt: { } fetched } && fetched - first <= newWithin;

    public static string Text(Rarity rarity) => rarity switch
    {
        Rarity.Unseen => "unseen",
        Rarity.Rare => "rare",
        Rarity.Uncommon => "uncommon",
        _ => "common",
    };

    public static bool TryParse(string? text, out Rarity rarity)
    {
        foreach (var candidate in Enum.GetValues<Rarity>())
        {
            if (string.Equals(Text(candidate), text, StringComparison.Ordinal))
            {
                rarity = candidate;
                return true;
            }
        }

        rarity = default;
        return false;
    }
}
