using System.Text.Json;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Core.Annotation;

/// <summary>
/// The property names and fixed words of the enrichment object, encoded once: the writer escape-checks every name
/// or value it is given as bytes or chars, and a <see cref="JsonEncodedText"/> skips that on the per-alert path.
/// </summary>
internal static class ContractNames
{
    public static readonly JsonEncodedText Provider = JsonEncodedText.Encode("provider"u8);
    public static readonly JsonEncodedText LookBackHours = JsonEncodedText.Encode("lookBackHours"u8);
    public static readonly JsonEncodedText Status = JsonEncodedText.Encode("status"u8);
    public static readonly JsonEncodedText EnrichedAt = JsonEncodedText.Encode("enrichedAt"u8);
    public static readonly JsonEncodedText Ips = JsonEncodedText.Encode("ips"u8);
    public static readonly JsonEncodedText Ip = JsonEncodedText.Encode("ip"u8);
    public static readonly JsonEncodedText Paths = JsonEncodedText.Encode("paths"u8);
    public static readonly JsonEncodedText Reason = JsonEncodedText.Encode("reason"u8);
    public static readonly JsonEncodedText Error = JsonEncodedText.Encode("error"u8);
    public static readonly JsonEncodedText OrganizationPrevalence = JsonEncodedText.Encode("organizationPrevalence"u8);
    public static readonly JsonEncodedText OrgFirstSeen = JsonEncodedText.Encode("orgFirstSeen"u8);
    public static readonly JsonEncodedText OrgLastSeen = JsonEncodedText.Encode("orgLastSeen"u8);
    public static readonly JsonEncodedText Rarity = JsonEncodedText.Encode("rarity"u8);
    public static readonly JsonEncodedText New = JsonEncodedText.Encode("new"u8);
    public static readonly JsonEncodedText Source = JsonEncodedText.Encode("source"u8);
    public static readonly JsonEncodedText Via = JsonEncodedText.Encode("via"u8);
    public static readonly JsonEncodedText FetchedAt = JsonEncodedText.Encode("fetchedAt"u8);
    public static readonly JsonEncodedText IpsNotListed = JsonEncodedText.Encode("ipsNotListed"u8);
    public static readonly JsonEncodedText Triage = JsonEncodedText.Encode("triage"u8);
    public static readonly JsonEncodedText Rarest = JsonEncodedText.Encode("rarest"u8);
    public static readonly JsonEncodedText NewIps = JsonEncodedText.Encode("newIps"u8);

    public static readonly JsonEncodedText DefenderProvider = JsonEncodedText.Encode(AlertAnnotator.Provider);
    public static readonly JsonEncodedText Skipped = JsonEncodedText.Encode("skipped"u8);
    public static readonly JsonEncodedText Hunting = JsonEncodedText.Encode("hunting"u8);

    // The words of each enum, from the one place that spells them.
    private static readonly JsonEncodedText[] AlertStatuses = Encode<AlertEnrichmentStatus>(EnrichmentJson.StatusText);
    private static readonly JsonEncodedText[] IpStatuses = Encode<IpLookupStatus>(EnrichmentJson.IpStatusText);
    private static readonly JsonEncodedText[] Sources = Encode<LookupSource>(EnrichmentJson.SourceText);
    private static readonly JsonEncodedText[] Rarities = Encode<Rarity>(TriageRules.Text);

    public static JsonEncodedText AlertStatusText(AlertEnrichmentStatus status) => AlertStatuses[(int)status];

    public static JsonEncodedText IpStatusText(IpLookupStatus status) => IpStatuses[(int)status];

    public static JsonEncodedText SourceText(LookupSource source) => Sources[(int)source];

    public static JsonEncodedText RarityText(Rarity rarity) => Rarities[(int)rarity];

    private static JsonEncodedText[] Encode<TEnum>(Func<TEnum, string> text)
        where TEnum : struct, Enum => [.. Enum.GetValues<TEnum>().Select(value => JsonEncodedText.Encode(text(value)))];
}
