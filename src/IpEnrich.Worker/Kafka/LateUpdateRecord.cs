using System.Net;
using System.Text.Encodings.Web;
using System.Text.Json;
using CommunityToolkit.HighPerformance.Buffers;
using Confluent.Kafka;
using IpEnrich.Core.Annotation;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// The value published to <c>Enrichment:UpdatesTopic</c> when lookups an alert went out without finish later:
/// <c>{"type":"ipenrich.update","input":{"topic","partition","offset"},"key","lookBackHours","updatedAt","ips":[…]}</c>,
/// where each IP entry has the output contract's per-IP fields. Keyed like the alert, so it follows it per key.
/// </summary>
public static class LateUpdateRecord
{
    public const string Type = "ipenrich.update";

    /// <summary>The record for the IPs of <paramref name="results"/> that are now final; null when none is.</summary>
    /// <param name="rules">The triage rules (per-IP <c>rarity</c> and <c>new</c>), or null when triage is off.</param>
    /// <param name="triage">The alert's triage recomputed with these answers (written as <c>triage</c> unless empty).</param>
    public static byte[]? Serialize(TopicPartitionOffset input, byte[]? key, int lookBackHours, DateTimeOffset updatedAt,
        IReadOnlyList<IPAddress> ips, IReadOnlyList<IpLookupResult> results, TriageRules? rules = null, AlertTriage triage = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(ips);
        ArgumentNullException.ThrowIfNull(results);
        var any = false;
        for (var i = 0; i < results.Count && !any; i++)
        {
            any = results[i].IsFinal;
        }

        if (!any)
        {
            return null;
        }

        using var buffer = new ArrayPoolBufferWriter<byte>();
        // Relaxed escaping, as the alert's enrichment object: keys and topics keep non-ASCII and '<', '+' readable.
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("type"u8, Type);
            w.WriteStartObject("input"u8);
            w.WriteString("topic"u8, input.Topic);
            w.WriteNumber("partition"u8, input.Partition.Value);
            w.WriteNumber("offset"u8, input.Offset.Value);
            w.WriteEndObject();
            WriteKey(w, key);
            w.WriteNumber("lookBackHours"u8, lookBackHours);
            EnrichmentJson.WriteTimestamp(w, "updatedAt"u8, updatedAt, milliseconds: true);
            w.WriteStartArray("ips"u8);
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i].IsFinal)
                {
                    EnrichmentJson.WriteIpEntry(w, ips[i].ToString(), results[i], rules);
                }
            }

            w.WriteEndArray();
            EnrichmentJson.WriteTriage(w, triage);
            w.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The key as text when it is UTF-8, else base64 under <c>keyBase64</c>; absent for a null key.</summary>
    private static void WriteKey(Utf8JsonWriter w, byte[]? key)
    {
        if (key is null)
        {
            return;
        }

        if (System.Text.Unicode.Utf8.IsValid(key))
        {
            w.WriteString("key"u8, key);
        }
        else
        {
            w.WriteBase64String("keyBase64"u8, key);
        }
    }
}
