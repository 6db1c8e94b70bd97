namespace IpEnrich.Core.Enrichment;

/// <summary>
/// An alert's triage over its IPs with final answers: the rarest class among them and how many are new to the
/// organization. <see cref="Rarest"/> is null when no IP has a found or not-seen answer (no triage is written then).
/// </summary>
public readonly record struct AlertTriage(Rarity? Rarest, int NewIps)
{
    public bool IsEmpty => Rarest is null;

    /// <summary>The triage of <paramref name="results"/>; empty without <paramref name="rules"/> (triage off).</summary>
    public static AlertTriage Of(ReadOnlySpan<IpLookupResult> results, TriageRules? rules)
    {
        var triage = default(AlertTriage);
        if (rules is null)
        {
            return triage;
        }

        foreach (var result in results)
        {
            triage = triage.With(result, rules);
        }

        return triage;
    }

    /// <summary>This triage with one more answer counted.</summary>
    public AlertTriage With(in IpLookupResult result, TriageRules rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        if (rules.RarityOf(result) is not { } rarity)
        {
            return this;
        }

        return new AlertTriage(Rarest is { } rarest && rarest < rarity ? rarest : rarity, NewIps + (rules.IsNew(result) ? 1 : 0));
    }
}
