using System.Globalization;
using System.Text;
using Confluent.Kafka;
using IpEnrich.Core.Annotation;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Kafka;

/// <summary>The headers of the output contract (docs/output-contract.md).</summary>
public static class AlertHeaders
{
    public const string Status = "ipenrich-status";
    public const string Error = "ipenrich-error";
    public const string SourceTopic = "ipenrich-source-topic";
    public const string SourcePartition = "ipenrich-source-partition";
    public const string SourceOffset = "ipenrich-source-offset";
    public const string OriginalSize = "ipenrich-original-size";
    public const string Truncated = "ipenrich-truncated";
    public const string Triage = "ipenrich-triage";

    // One header per status, shared by every output: a header's value is only read (marshalled) by the producer.
    private static readonly Header[] StatusHeaders = [.. Enum.GetValues<AlertEnrichmentStatus>()
        .Select(status => new Header(Status, Encoding.UTF8.GetBytes(EnrichmentJson.StatusText(status))))];

    private static readonly Header[] TriageHeaders = [.. Enum.GetValues<Rarity>().Select(rarity => new Header(Triage, Encoding.UTF8.GetBytes(TriageRules.Text(rarity))))];

    /// <summary>The enriched output's headers: the input's (minus any earlier ipenrich ones), the alert status and its rarest class.</summary>
    public static Headers WithStatus(Headers? input, AlertEnrichmentStatus status, in AlertTriage triage = default)
    {
        var headers = CopyInput(input);
        headers.Add(StatusHeaders[(int)status]);
        AddTriage(headers, triage);
        return headers;
    }

    /// <summary>Adds <c>ipenrich-triage</c> (the rarest class) unless the triage is empty.</summary>
    public static void AddTriage(Headers headers, in AlertTriage triage)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (triage.Rarest is { } rarest)
        {
            headers.Add(TriageHeaders[(int)rarest]);
        }
    }

    /// <summary>The input's headers (minus any earlier ipenrich ones) plus the given ones.</summary>
    public static Headers CopyWith(Headers? input, params (string Key, string Value)[] added)
    {
        var headers = CopyInput(input);
        foreach (var (key, value) in added)
        {
            headers.Add(key, Encoding.UTF8.GetBytes(value));
        }

        return headers;
    }

    private static Headers CopyInput(Headers? input)
    {
        var headers = new Headers();
        // By index: Headers' enumerator is an interface, one allocation per message.
        for (var i = 0; i < (input?.Count ?? 0); i++)
        {
            var header = input![i];
            if (!header.Key.StartsWith("ipenrich-", StringComparison.Ordinal))
            {
                headers.Add(header);
            }
        }

        return headers;
    }

    public static Headers DeadLetter(ConsumeResult<byte[]?, byte[]?> source, string reason) =>
        CopyWith(source.Message.Headers,
            (Error, reason),
            (SourceTopic, source.Topic),
            (SourcePartition, source.Partition.Value.ToString(CultureInfo.InvariantCulture)),
            (SourceOffset, source.Offset.Value.ToString(CultureInfo.InvariantCulture)));
}
