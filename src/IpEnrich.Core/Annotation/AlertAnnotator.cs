using System.Buffers;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Core.Annotation;

/// <summary>
/// Writes the output value (docs/output-contract.md): the input bytes untouched, with one enrichment property appended before the
/// closing brace (an earlier one is replaced, never duplicated). Thread-safe; writes into a caller's (pooled) buffer.
/// </summary>
public sealed class AlertAnnotator
{
    public const string Provider = "microsoft-defender-for-endpoint";

    /// <summary><c>"name":{"provider":…,"lookBackHours":</c>, the same for every alert.</summary>
    private readonly byte[] _opening;
    private readonly TriageRules? _triage;

    /// <param name="triage">The triage rules, or null for none (no <c>rarity</c>, <c>new</c> or <c>triage</c> fields).</param>
    public AlertAnnotator(string propertyName = "ipEnrichment", TriageRules? triage = null)
    {
        _triage = triage;
        ArgumentException.ThrowIfNullOrWhiteSpace(propertyName);
        var opening = new ArrayBufferWriter<byte>();
        var f = new JsonFragmentWriter(opening);
        f.String(propertyName);
        f.Raw(":{\"provider\":"u8);
        f.String(Provider);
        f.Raw(",\"lookBackHours\":"u8);
        f.Flush();
        _opening = opening.WrittenSpan.ToArray();
        PropertyName = propertyName;
    }

    public string PropertyName { get; }

    /// <summary>The alert status implied by the results for the extraction's candidates.</summary>
    public static AlertEnrichmentStatus ComputeStatus(AlertExtraction extraction, ReadOnlySpan<IpLookupResult> results)
    {
        ArgumentNullException.ThrowIfNull(extraction);
        if (extraction.CandidateCount == 0)
        {
            return AlertEnrichmentStatus.None;
        }

        var final = 0;
        foreach (var result in results)
        {
            if (result.IsFinal)
            {
                final++;
            }
        }

        return final == results.Length ? AlertEnrichmentStatus.Complete
            : final == 0 ? AlertEnrichmentStatus.Deferred
            : AlertEnrichmentStatus.Partial;
    }

    public TriageRules? Triage => _triage;

    /// <summary>Writes <paramref name="alert"/> with the enrichment property into <paramref name="output"/>.</summary>
    /// <param name="results">One result per <see cref="AlertExtraction.Candidates"/> entry, in the same order.</param>
    public AlertEnrichmentStatus Annotate(ReadOnlySpan<byte> alert, AlertExtraction extraction,
        ReadOnlySpan<IpLookupResult> results, int lookBackHours, DateTimeOffset enrichedAt, IBufferWriter<byte> output) =>
        Annotate(alert, extraction, results, AlertTriage.Of(results, _triage), lookBackHours, enrichedAt, output);

    /// <inheritdoc cref="Annotate(ReadOnlySpan{byte}, AlertExtraction, ReadOnlySpan{IpLookupResult}, int, DateTimeOffset, IBufferWriter{byte})"/>
    /// <param name="triage">The alert's triage over <paramref name="results"/> (<see cref="AlertTriage.Of"/> with this annotator's rules).</param>
    public AlertEnrichmentStatus Annotate(ReadOnlySpan<byte> alert, AlertExtraction extraction,
        ReadOnlySpan<IpLookupResult> results, in AlertTriage triage, int lookBackHours, DateTimeOffset enrichedAt, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(extraction);
        ArgumentNullException.ThrowIfNull(output);
        if (results.Length != extraction.CandidateCount)
        {
            throw new ArgumentException(
                $"{results.Length} results given for {extraction.CandidateCount} candidate IPs", nameof(results));
        }

        var layout = extraction.Layout;
        if (layout.CloseBraceOffset < 0)
        {
            throw new ArgumentException("the extraction does not describe a JSON object", nameof(extraction));
        }

        var status = ComputeStatus(extraction, results);
        var members = layout.Members;
        if (!layout.HasEnrichmentProperty)
        {
            var insertAt = members.Length > 0 ? members[^1].ValueEnd : layout.CloseBraceOffset;
            output.Write(alert[..insertAt]);
            WriteProperty(members.Length > 0, extraction, results, triage, status, lookBackHours, enrichedAt, output);
            output.Write(alert[insertAt..]);
            return status;
        }

        // Re-enrichment: copy every other member with its original separator, then append the new property.
        output.Write(alert[..members[0].NameStart]);
        var wroteAny = false;
        for (var j = 0; j < members.Length; j++)
        {
            if (members[j].IsEnrichment)
            {
                continue;
            }

            if (wroteAny)
            {
                output.Write(alert[members[j - 1].ValueEnd..members[j].NameStart]);
            }

            output.Write(alert[members[j].NameStart..members[j].ValueEnd]);
            wroteAny = true;
        }

        WriteProperty(wroteAny, extraction, results, triage, status, lookBackHours, enrichedAt, output);
        output.Write(alert[members[^1].ValueEnd..]);
        return status;
    }

    private void WriteProperty(bool needsComma, AlertExtraction extraction, ReadOnlySpan<IpLookupResult> results, in AlertTriage triage,
        AlertEnrichmentStatus status, int lookBackHours, DateTimeOffset enrichedAt, IBufferWriter<byte> output)
    {
        var f = new JsonFragmentWriter(output);
        if (needsComma)
        {
            f.Raw(","u8);
        }

        f.Raw(_opening);
        f.Number(lookBackHours);
        f.Raw(","u8);
        f.Raw(EnrichmentJson.AlertStatusField(status));
        f.Raw(",\"enrichedAt\":"u8);
        f.Timestamp(enrichedAt, milliseconds: true);
        f.Raw(",\"ips\":["u8);
        for (var i = 0; i < extraction.Count; i++)
        {
            WriteIpEntry(ref f, extraction, i, results);
        }

        f.Raw("]"u8);
        if (extraction.IpsNotListed > 0)
        {
            f.Raw(",\"ipsNotListed\":"u8);
            f.Number(extraction.IpsNotListed);
        }

        if (triage.Rarest is not null)
        {
            f.Raw(",\"triage\":"u8);
            EnrichmentJson.WriteTriageObject(ref f, triage);
        }

        f.Raw("}"u8);
        f.Flush();
    }

    private void WriteIpEntry(ref JsonFragmentWriter f, AlertExtraction extraction, int i, ReadOnlySpan<IpLookupResult> results)
    {
        f.Raw(i == 0 ? "{\"ip\":"u8 : ",{\"ip\":"u8);
        WriteIp(ref f, extraction, i);
        f.Raw(",\"paths\":["u8);
        var first = true;
        foreach (var path in extraction.GetPaths(i))
        {
            if (!first)
            {
                f.Raw(","u8);
            }

            f.String(path);
            first = false;
        }

        f.Raw("],"u8);
        var position = extraction.GetCandidatePosition(i);
        if (position < 0)
        {
            f.Raw("\"status\":\"skipped\",\"reason\":"u8);
            f.String(extraction.GetSkipReason(i));
        }
        else
        {
            EnrichmentJson.WriteResult(ref f, results[position], _triage);
        }

        f.Raw("}"u8);
    }

    /// <summary>An IPv4 address is written from its value; the canonical IPv6 text (RFC 5952) comes from the interned address.</summary>
    private static void WriteIp(ref JsonFragmentWriter f, AlertExtraction extraction, int i)
    {
        Span<byte> dottedQuad = stackalloc byte[15];
        f.String(extraction.GetValue(i).TryFormatV4(dottedQuad, out var length)
            ? dottedQuad[..length]
            : extraction.GetIp(i).CanonicalJson.EncodedUtf8Bytes);
    }

    public static string StatusText(AlertEnrichmentStatus status) => EnrichmentJson.StatusText(status);
}
