using System.Globalization;
using System.Text.Json;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Core.Annotation;

/// <summary>The JSON of the output contract's per-IP entries and status words, shared by every writer of it.</summary>
public static class EnrichmentJson
{
    /// <summary>Writes one complete IP entry without paths: <c>{"ip":…,"status":…,…}</c> (the <c>lookup</c> command).</summary>
    /// <param name="triage">The triage rules (<c>rarity</c>, <c>new</c>), or null when triage is off.</param>
    public static void WriteIpEntry(Utf8JsonWriter w, string ip, in IpLookupResult result, TriageRules? triage = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString(ContractNames.Ip, ip);
        WriteResult(w, result, triage);
        w.WriteEndObject();
    }

    /// <summary>Writes the status-dependent fields of one IP entry, with its triage signals when <paramref name="triage"/> is set.</summary>
    public static void WriteResult(Utf8JsonWriter w, in IpLookupResult result, TriageRules? triage = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteString(ContractNames.Status, ContractNames.IpStatusText(result.Status));
        switch (result.Status)
        {
            case IpLookupStatus.Found:
                w.WriteNumber(ContractNames.OrganizationPrevalence, result.Stats!.OrganizationPrevalence);
                WriteOptionalTimestamp(w, ContractNames.OrgFirstSeen, result.Stats.FirstSeen);
                WriteOptionalTimestamp(w, ContractNames.OrgLastSeen, result.Stats.LastSeen);
                break;
            case IpLookupStatus.NotSeen:
                w.WriteNumber(ContractNames.OrganizationPrevalence, 0);
                w.WriteNull(ContractNames.OrgFirstSeen);
                w.WriteNull(ContractNames.OrgLastSeen);
                break;
            case IpLookupStatus.Deferred:
                w.WriteString(ContractNames.Reason, result.Detail);
                return;
            case IpLookupStatus.Error:
                w.WriteString(ContractNames.Error, result.Detail);
                return;
        }

        if (triage?.RarityOf(result) is { } rarity)
        {
            w.WriteString(ContractNames.Rarity, ContractNames.RarityText(rarity));
            if (triage.IsNew(result))
            {
                w.WriteBoolean(ContractNames.New, true);
            }
        }

        w.WriteString(ContractNames.Source, ContractNames.SourceText(result.Source));
        if (result.ViaHunting)
        {
            w.WriteString(ContractNames.Via, ContractNames.Hunting);
        }

        WriteOptionalTimestamp(w, ContractNames.FetchedAt, result.FetchedAt, milliseconds: true);
    }

    /// <summary>Writes <c>"triage": {"rarest": …, "newIps": …}</c>, or nothing for an empty triage.</summary>
    public static void WriteTriage(Utf8JsonWriter w, in AlertTriage triage)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (triage.Rarest is not { } rarest)
        {
            return;
        }

        w.WriteStartObject(ContractNames.Triage);
        w.WriteString(ContractNames.Rarest, ContractNames.RarityText(rarest));
        w.WriteNumber(ContractNames.NewIps, triage.NewIps);
        w.WriteEndObject();
    }

    internal static void WriteOptionalTimestamp(Utf8JsonWriter w, JsonEncodedText name, DateTimeOffset? value, bool milliseconds = false)
    {
        if (value is { } v)
        {
            WriteTimestamp(w, name, v, milliseconds);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>UTC ISO-8601 with a Z: <c>2017-07-30T13:36:06Z</c>, or with milliseconds for our own times.</summary>
    public static void WriteTimestamp(Utf8JsonWriter w, ReadOnlySpan<byte> name, DateTimeOffset value, bool milliseconds)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WritePropertyName(name);
        WriteTimestampValue(w, value, milliseconds);
    }

    internal static void WriteTimestamp(Utf8JsonWriter w, JsonEncodedText name, DateTimeOffset value, bool milliseconds)
    {
        w.WritePropertyName(name);
        WriteTimestampValue(w, value, milliseconds);
    }

    private static void WriteTimestampValue(Utf8JsonWriter w, DateTimeOffset value, bool milliseconds)
    {
        var utc = value.UtcDateTime;
        if (!milliseconds)
        {
            w.WriteStringValue(utc); // round-trip form with trailing zeros of the fraction trimmed: 13:36:06Z, 13:36:06.5Z
            return;
        }

        // "O" is the formatter's fast path: yyyy-MM-ddTHH:mm:ss.fffffffZ; keep the milliseconds. Written raw, quotes
        // included: digits and punctuation need no escaping, and checking for it was a visible share of the writer's time.
        Span<byte> buffer = stackalloc byte[30];
        buffer[0] = (byte)'"';
        utc.TryFormat(buffer[1..], out _, "O", CultureInfo.InvariantCulture);
        buffer[24] = (byte)'Z';
        buffer[25] = (byte)'"';
        w.WriteRawValue(buffer[..26], skipInputValidation: true);
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
