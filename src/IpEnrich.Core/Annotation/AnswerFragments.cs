using System.Buffers;
using System.Text.Json;
using IpEnrich.Core.Collections;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Core.Annotation;

/// <summary>
/// The status-dependent fields of an IP entry (<see cref="EnrichmentJson.WriteResult"/>), rendered once per distinct
/// answer and then copied: a stream names the same few hundred addresses again and again, and their cached answers
/// are the same values each time, three timestamps included.
/// </summary>
internal sealed class AnswerFragments(TriageRules? triage, JsonWriterOptions options, int capacity = 4096)
{
    private readonly BoundedMemo<IpLookupResult, byte[]> _fragments = new(capacity);

    /// <summary>
    /// <c>,"status":…</c> up to the last field, without braces: the bytes to append to an entry whose first fields are
    /// already written.
    /// </summary>
    public ReadOnlySpan<byte> Of(in IpLookupResult result) => _fragments.GetOrAdd(result, static (answer, self) => self.Render(answer), this);

    private byte[] Render(IpLookupResult answer)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            writer.WriteStartObject();
            EnrichmentJson.WriteResult(writer, answer, triage);
            writer.WriteEndObject();
        }

        // {"status":…} → ,"status":…
        var json = buffer.WrittenSpan;
        return [(byte)',', .. json[1..^1]];
    }
}
