using System.Buffers;
using System.Text.Json;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Core.Annotation;

/// <summary>The JSON of the output contract's per-IP entries and status words, shared by every writer of it.</summary>
public static class EnrichmentJson
{
    /// <summary>Writes one complete IP entry without paths: <c>{"ip":…,"status":…,…}</c> (the <c>lookup</c> command, late updates).</summary>
    /// <remarks>
    /// Written as the enrichment object is, minified with relaxed escaping, whatever <paramref name="w"/>'s options:
    /// one spelling of the entry everywhere.
    /// </remarks>
    /// <param name="triage">The triage rules (<c>rarity</c>, <c>new</c>), or null when triage is off.</param>
    public static void WriteIpEntry(Utf8JsonWriter w, string ip, in IpLookupResult result, TriageRules? triage = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        var buffer = new ArrayBufferWriter<byte>(256);
        var f = new JsonFragmentWriter(buffer);
        f.Raw("{\"ip\":"u8);
        f.String(ip);
        f.Raw(","u8);
        WriteResult(ref f, result, triage);
        f.Raw("}"u8);
        f.Flush();
        w.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
    }

    /// <summary>Writes the alert's <c>triage</c> property when it has any signal (minified, as <see cref="WriteIpEntry"/>).</summary>
    public static void WriteTriage(Utf8JsonWriter w, in AlertTriage triage)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (triage.Rarest is null)
        {
            return;
        }

        var buffer = new ArrayBufferWriter<byte>(64);
        var f = new JsonFragmentWriter(buffer);
        WriteTriageObject(ref f, triage);
        f.Flush();
        w.WritePropertyName("triage"u8);
        w.WriteRawValue(buffer.WrittenSpan, skipInputValidation: true);
    }

    /// <summary>Writes a UTC timestamp property, with milliseconds or in the trimmed round-trip form.</summary>
    public static void WriteTimestamp(Utf8JsonWriter w, ReadOnlySpan<byte> name, DateTimeOffset value, bool milliseconds)
    {
        ArgumentNullException.ThrowIfNull(w);
        Span<byte> quoted = stackalloc byte[JsonFragmentWriter.MaxTimestampBytes];
        w.WritePropertyName(name);
        w.WriteRawValue(quoted[..JsonFragmentWriter.FormatTimestamp(quoted, value, milliseconds)], skipInputValidation: true);
    }

    /// <summary>
    /// The status-dependent fields of one IP entry, with its triage signals when <paramref name="triage"/> is set:
    /// <c>"status":…</c> to the entry's last field, without the braces.
    /// </summary>
    internal static void WriteResult(ref JsonFragmentWriter f, in IpLookupResult result, TriageRules? triage)
    {
        f.Raw(IpStatusFields[(int)result.Status]);
        switch (result.Status)
        {
            case IpLookupStatus.Found:
                f.Raw(",\"organizationPrevalence\":"u8);
                f.Number(result.Stats!.OrganizationPrevalence);
                f.Raw(",\"orgFirstSeen\":"u8);
                OptionalTimestamp(ref f, result.Stats.FirstSeen, milliseconds: false);
                f.Raw(",\"orgLastSeen\":"u8);
                OptionalTimestamp(ref f, result.Stats.LastSeen, milliseconds: false);
                break;
            case IpLookupStatus.NotSeen:
                f.Raw(",\"organizationPrevalence\":0,\"orgFirstSeen\":null,\"orgLastSeen\":null"u8);
                break;
            case IpLookupStatus.Deferred:
                f.Raw(",\"reason\":"u8);
                f.String(result.Detail);
                return;
            case IpLookupStatus.Error:
                f.Raw(",\"error\":"u8);
                f.String(result.Detail);
                return;
        }

        if (triage?.RarityOf(result) is { } rarity)
        {
            f.Raw(RarityFields[(int)rarity]);
            if (triage.IsNew(result))
            {
                f.Raw(",\"new\":true"u8);
            }
        }

        f.Raw(SourceFields[(int)result.Source]);
        if (result.ViaHunting)
        {
            f.Raw(",\"via\":\"hunting\""u8);
        }

        f.Raw(",\"fetchedAt\":"u8);
        OptionalTimestamp(ref f, result.FetchedAt, milliseconds: true);
    }

    /// <summary><c>{"rarest":…,"newIps":…}</c>; the caller has checked that <see cref="AlertTriage.Rarest"/> is set.</summary>
    internal static void WriteTriageObject(ref JsonFragmentWriter f, in AlertTriage triage)
    {
        f.Raw("{\"rarest\":"u8);
        f.Raw(RarityWords[(int)triage.Rarest!.Value]);
        f.Raw(",\"newIps\":"u8);
        f.Number(triage.NewIps);
        f.Raw("}"u8);
    }

    /// <summary><c>"status":"…"</c> for an alert status: the word from <see cref="StatusText"/>.</summary>
    internal static ReadOnlySpan<byte> AlertStatusField(AlertEnrichmentStatus status) => AlertStatusFields[(int)status];

    private static void OptionalTimestamp(ref JsonFragmentWriter f, DateTimeOffset? value, bool milliseconds)
    {
        if (value is { } v)
        {
            f.Timestamp(v, milliseconds);
        }
        else
        {
            f.Raw("null"u8);
        }
    }

    // The fields that carry each enum's word, spelled once from the functions below.
    private static readonly byte[][] AlertStatusFields = Fields<AlertEnrichmentStatus>("\"status\":", StatusText);
    private static readonly byte[][] IpStatusFields = Fields<IpLookupStatus>("\"status\":", IpStatusText);
    private static readonly byte[][] SourceFields = Fields<LookupSource>(",\"source\":", SourceText);
    private static readonly byte[][] RarityFields = Fields<Rarity>(",\"rarity\":", TriageRules.Text);
    private static readonly byte[][] RarityWords = Fields<Rarity>(string.Empty, TriageRules.Text);

    private static byte[][] Fields<TEnum>(string prefix, Func<TEnum, string> text)
        where TEnum : struct, Enum
    {
        var values = Enum.GetValues<TEnum>();
        var fields = new byte[values.Max(v => Convert.ToInt32(v, System.Globalization.CultureInfo.InvariantCulture)) + 1][];
        foreach (var value in values)
        {
            fields[Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture)] =
                System.Text.Encoding.UTF8.GetBytes($"{prefix}\"{text(value)}\"");
        }

        return fields;
    }

    public static string StatusText(AlertEnrichmentStatus status) => status switch
    {
        AlertEnrichmentStatus.Complete => "complete",
        AlertEnrichmentStatus.Partial => "partial",
        AlertEnrichmentStatus.Deferred => "deferred",
        _ => "none",
    };

    public static string IpStatusText(IpLookupStatus status) => status switch
    {
        IpLookupStatus.Found => "found",
        IpLookupStatus.NotSeen => "not_seen",
        IpLookupStatus.Invalid => "invalid",
        IpLookupStatus.Deferred => "deferred",
        _ => "error",
    };

    public static string SourceText(LookupSource source) => source switch
    {
        LookupSource.Api => "api",
        LookupSource.Stale => "stale",
        _ => "cache",
    };
}
