using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text.Encodings.Web;

namespace IpEnrich.Core.Annotation;

/// <summary>
/// Writes JSON as the caller spells it — fixed fragments (<c>,"status":"</c>) copied raw, strings escaped, numbers and
/// timestamps formatted — straight into a buffer writer, a chunk at a time. Hand-written rather than
/// <see cref="System.Text.Json.Utf8JsonWriter"/> because the enrichment object is fixed text around a few values, and
/// the general writer's per-token work (separators, escaping checks of known names, state) was most of its cost.
/// Output matches <see cref="System.Text.Json.Utf8JsonWriter"/>'s minimized output with relaxed escaping.
/// </summary>
internal ref struct JsonFragmentWriter
{
    private const int ChunkBytes = 1024;

    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private readonly IBufferWriter<byte> _output;
    private Span<byte> _chunk;
    private int _used;

    public JsonFragmentWriter(IBufferWriter<byte> output) => _output = output;

    /// <summary>Hands what was written to the buffer writer; call once at the end.</summary>
    public void Flush()
    {
        if (_used > 0)
        {
            _output.Advance(_used);
        }

        _chunk = default;
        _used = 0;
    }

    public void Raw(scoped ReadOnlySpan<byte> fragment)
    {
        fragment.CopyTo(Reserve(fragment.Length));
        _used += fragment.Length;
    }

    /// <summary>A JSON string: <paramref name="utf8"/> quoted, escaped where it needs to be.</summary>
    public void String(scoped ReadOnlySpan<byte> utf8)
    {
        var escapeAt = Encoder.FindFirstCharacterToEncodeUtf8(utf8);
        if (escapeAt < 0)
        {
            var span = Reserve(utf8.Length + 2);
            span[0] = (byte)'"';
            utf8.CopyTo(span[1..]);
            span[utf8.Length + 1] = (byte)'"';
            _used += utf8.Length + 2;
            return;
        }

        // Escaped, each byte takes at most six ("\u00XX"), as the general writer allows for.
        var target = Reserve((utf8.Length * 6) + 2);
        target[0] = (byte)'"';
        utf8[..escapeAt].CopyTo(target[1..]);
        Encoder.EncodeUtf8(utf8[escapeAt..], target[(escapeAt + 1)..], out _, out var written);
        var end = escapeAt + 1 + written;
        target[end] = (byte)'"';
        _used += end + 1;
    }

    /// <summary>A JSON string, or <c>null</c> for null.</summary>
    public void String(string? text)
    {
        if (text is null)
        {
            Raw("null"u8);
            return;
        }

        String(text.AsSpan());
    }

    public void Number(long value)
    {
        Utf8Formatter.TryFormat(value, Reserve(20), out var written);
        _used += written;
    }

    /// <summary>A JSON string of UTF-16 text, transcoded and escaped where it needs to be.</summary>
    public void String(scoped ReadOnlySpan<char> text)
    {
        // Transcoded straight into the output: most text needs no escaping and is then written.
        var span = Reserve((text.Length * 3) + 2);
        System.Text.Unicode.Utf8.FromUtf16(text, span[1..], out _, out var length);
        if (Encoder.FindFirstCharacterToEncodeUtf8(span.Slice(1, length)) < 0)
        {
            span[0] = (byte)'"';
            span[length + 1] = (byte)'"';
            _used += length + 2;
            return;
        }

        var utf8 = ArrayPool<byte>.Shared.Rent(length);
        span.Slice(1, length).CopyTo(utf8);
        String(utf8.AsSpan(0, length));
        ArrayPool<byte>.Shared.Return(utf8);
    }

    /// <summary>Bytes a quoted timestamp takes at most.</summary>
    public const int MaxTimestampBytes = 30;

    /// <summary>
    /// A UTC timestamp as a JSON string: with <paramref name="milliseconds"/>, <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>; without,
    /// the round-trip form with the fraction's trailing zeros trimmed (<c>13:36:06Z</c>, <c>13:36:06.5Z</c>), as
    /// <see cref="System.Text.Json.Utf8JsonWriter.WriteStringValue(DateTime)"/> writes it.
    /// </summary>
    public void Timestamp(DateTimeOffset value, bool milliseconds)
    {
        var written = FormatTimestamp(Reserve(MaxTimestampBytes), value, milliseconds); // Reserve may move _used
        _used += written;
    }

    /// <summary>Writes <see cref="Timestamp"/>'s text, quotes included, to <paramref name="quoted"/>; returns its length.</summary>
    public static int FormatTimestamp(Span<byte> quoted, DateTimeOffset value, bool milliseconds)
    {
        // "O" is the formatter's fast path: "yyyy-MM-ddTHH:mm:ss.fffffffZ", after the quote the fraction at 21..27.
        quoted[0] = (byte)'"';
        value.UtcDateTime.TryFormat(quoted[1..], out _, "O", CultureInfo.InvariantCulture);
        var end = milliseconds ? 24 : TrimmedFractionEnd(quoted);
        quoted[end] = (byte)'Z';
        quoted[end + 1] = (byte)'"';
        return end + 2;
    }

    /// <summary>Where the 'Z' goes once the seven fraction digits lose their trailing zeros.</summary>
    private static int TrimmedFractionEnd(Span<byte> quoted)
    {
        var end = 28;
        while (end > 21 && quoted[end - 1] == '0')
        {
            end--;
        }

        return end == 21 ? 20 : end; // no fraction left: drop the '.' too
    }

    private Span<byte> Reserve(int bytes)
    {
        if (_chunk.Length - _used < bytes)
        {
            Flush();
            _chunk = _output.GetSpan(Math.Max(bytes, ChunkBytes));
        }

        return _chunk[_used..];
    }
}
