using System.Globalization;
using System.Text.Json;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Core.Annotation;

/// <summary>The JSON of the output contract's per-IP entries and status words, shared by every writer of it.</summary>
public static class EnrichmentJson
{
    // The words of the contract, encoded once: the writer then copies them without escaping or transcoding.
    private static readonly JsonEncodedText[] AlertStatuses = [.. Enum.GetValues<AlertEnrichmentStatus>().Select(s => JsonEncodedText.Encode(StatusText(s)))];
    private static readonly JsonEncodedText[] IpStatuses = [.. Enum.GetValues<IpLookupStatus>().Select(s => JsonEncodedText.Encode(IpStatusText(s)))];
    private static readonly JsonEncodedText[] Sources = [.. Enum.GetValues<LookupSource>().Select(s => JsonEncodedText.Encode(SourceText(s)))];

    /// <summary>Writes one complete IP entry without paths: <c>{"ip":…,"status":…,…}</c> (the <c>lookup</c> command).</summary>
    /// <param name="triage">The triage rules (<c>rarity</c>, <c>new</c>), or null when triage is off.</param>
    public static void WriteIpEntry(Utf8JsonWriter w, string ip, in IpLookupResult result, TriageRules? triage = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject();
        w.WriteString("ip"u8, ip);
        WriteResult(w, result, triage);
        w.WriteEndObject();
    }

    /// <summary>Writes the status-dependent fields of one IP entry, with its triage signals when <paramref name="triage"/> is set.</summary>
    public static void WriteResult(Utf8JsonWriter w, in IpLookupResult result, TriageRules? triage = null)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteString("status"u8, IpStatuses[(int)result.Status]);
        switch (result.Status)
        {
            case IpLookupStatus.Found:
                w.WriteNumber("organizationPrevalence"u8, result.Stats!.OrganizationPrevalence);
                WriteOptionalTimestamp(w, "orgFirstSeen"u8, result.Stats.FirstSeen);
                WriteOptionalTimestamp(w, "orgLastSeen"u8, result.Stats.LastSeen);
                break;
            case IpLookupStatus.NotSeen:
                w.WriteNumber("organizationPrevalence"u8, 0);
                w.WriteNull("orgFirstSeen"u8);
                w.WriteNull("orgLastSeen"u8);
                break;
            case IpLookupStatus.Deferred:
                w.WriteString("reason"u8, result.Detail);
                return;
            case IpLookupStatus.Error:
                w.WriteString("error"u8, result.Detail);
                return;
        }

        if (triage?.RarityOf(result) is { } rarity)
        {
            w.WriteString("rarity"u8, TriageRules.Utf8(rarity));
            if (triage.IsNew(result))
            {
                w.WriteBoolean("new"u8, true);
            }
        }

        w.WriteString("source"u8, Sources[(int)result.Source]);
        if (result.ViaHunting)
        {
            w.WriteString("via"u8, "hunting"u8);
        }

        WriteOptionalTimestamp(w, "fetchedAt"u8, result.FetchedAt, milliseconds: true);
    }

    /// <summary>Writes <c>"triage": {"rarest": …, "newIps": …}</c>, or nothing for an empty triage.</summary>
    public static void WriteTriage(Utf8JsonWriter w, in AlertTriage triage)
    {
        ArgumentNullException.ThrowIfNull(w);
        if (triage.Rarest is not { } rarest)
        {
            return;
        }

        w.WriteStartObject("triage"u8);
        w.WriteString("rarest"u8, TriageRules.Utf8(rarest));
        w.WriteNumber("newIps"u8, triage.NewIps);
        w.WriteEndObject();
    }

    public static void WriteOptionalTimestamp(Utf8JsonWriter w, ReadOnlySpan<byte> name, DateTimeOffset? value, bool milliseconds = false)
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
        var utc = value.UtcDateTime;
        if (!milliseconds)
        {
            w.WriteString(name, utc); // round-trip form with trailing zeros of the fraction trimmed: 13:36:06Z, 13:36:06.5Z
            return;
        }

        // "O" is the formatter's fast path: yyyy-MM-ddTHH:mm:ss.fffffffZ; keep the milliseconds.
        Span<byte> buffer = stackalloc byte[28];
        utc.TryFormat(buffer, out _, "O", CultureInfo.InvariantCulture);
        buffer[23] = (byte)'Z';
        w.WriteString(name, buffer[..24]);
    }


    /// <summary><see cref="StatusText"/> as JSON text.</summary>
    public static JsonEncodedText StatusJson(AlertEnrichmentStatus status) => AlertStatuses[(int)status];

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
