namespace IpEnrich.Core.Extraction;

/// <summary>
/// Scratch the extractor reuses for each alert: one frame stack per document level (the alert and the JSON embedded
/// in its strings), unescaped property names, the unescape, percent-decode and scan buffers. It lives in the caller's
/// <see cref="AlertExtraction"/> so that the extractor itself stays stateless and thread-safe.
/// </summary>
internal sealed class WalkState
{
    /// <summary>Embedded JSON documents scanned per alert at most, so nested strings cannot multiply the work.</summary>
    private const int EmbeddedDocumentsPerAlert = 16;

    private byte[] _unescapeBuffer = new byte[256];
    private byte[] _decodeBuffer = new byte[256];

    public JsonFrame[][] FrameStacks { get; } = [new JsonFrame[16], new JsonFrame[16], new JsonFrame[16]];

    public List<IpValue> ScanBuffer { get; } = [];

    public byte[] NameArena { get; private set; } = new byte[256];

    public int NameArenaLength { get; private set; }

    public int EmbeddedDocumentBudget { get; set; }

    public void Reset()
    {
        NameArenaLength = 0;
        EmbeddedDocumentBudget = EmbeddedDocumentsPerAlert;
    }

    /// <summary>The escaped string or property name under the reader, unescaped into the shared buffer.</summary>
    /// <remarks>Valid until the next call; the caller keeps the bytes it needs longer.</remarks>
    public ReadOnlySpan<byte> Unescape(ref JsonTokenReader reader)
    {
        var escaped = reader.ValueSpan;
        var buffer = Scratch(ref _unescapeBuffer, escaped.Length);
        return buffer[..JsonStringUnescaper.Unescape(escaped, buffer)];
    }

    /// <summary><paramref name="text"/> percent-decoded into its own buffer when it holds a '%'; else text itself.</summary>
    /// <remarks>Valid until the next call; text may be the span <see cref="Unescape"/> returned.</remarks>
    public ReadOnlySpan<byte> PercentDecode(ReadOnlySpan<byte> text)
    {
        if (!text.Contains((byte)'%'))
        {
            return text;
        }

        var buffer = Scratch(ref _decodeBuffer, text.Length);
        return buffer[..PercentDecoding.Decode(text, buffer)];
    }

    /// <summary>Keeps an unescaped property name until the next alert, for path matching and writing; returns its start.</summary>
    public int AppendName(ReadOnlySpan<byte> unescaped)
    {
        if (NameArena.Length - NameArenaLength < unescaped.Length)
        {
            var bigger = new byte[Math.Max(NameArena.Length * 2, NameArenaLength + unescaped.Length)];
            NameArena.AsSpan(0, NameArenaLength).CopyTo(bigger);
            NameArena = bigger;
        }

        var start = NameArenaLength;
        unescaped.CopyTo(NameArena.AsSpan(start));
        NameArenaLength += unescaped.Length;
        return start;
    }

    public ReadOnlySpan<byte> NameOf(ReadOnlySpan<byte> json, in JsonFrame frame) =>
        frame.NameInArena
            ? NameArena.AsSpan(frame.NameStart, frame.NameLength)
            : json.Slice(frame.NameStart, frame.NameLength);

    private static Span<byte> Scratch(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }

        return buffer;
    }
}
