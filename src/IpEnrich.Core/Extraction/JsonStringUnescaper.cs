using System.Buffers.Text;
using System.Text;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Unescapes a JSON string token like <c>Utf8JsonReader.CopyString</c>, but leniently: an unpaired surrogate escape
/// (<c>\ud800</c>, common in truncated Windows event text) becomes U+FFFD, a boundary to the scanner, where the reader
/// would throw <see cref="InvalidOperationException"/> and the alert would be dead-lettered.
/// </summary>
internal static class JsonStringUnescaper
{
    /// <summary>Writes the unescaped bytes of <paramref name="escaped"/>, a value the reader has validated.</summary>
    /// <param name="destination">At least <paramref name="escaped"/>'s length: no escape unescapes to more bytes than it takes.</param>
    /// <returns>The number of bytes written.</returns>
    public static int Unescape(ReadOnlySpan<byte> escaped, Span<byte> destination)
    {
        var written = 0;
        var i = 0;
        while (LiteralRun.CopyUntil(escaped, (byte)'\\', ref i, destination, ref written))
        {
            var kind = escaped[i + 1];
            i += 2;
            if (kind != 'u')
            {
                destination[written++] = kind switch
                {
                    (byte)'b' => (byte)'\b',
                    (byte)'f' => (byte)'\f',
                    (byte)'n' => (byte)'\n',
                    (byte)'r' => (byte)'\r',
                    (byte)'t' => (byte)'\t',
                    _ => kind, // '"', '\\' and '/' stand for themselves
                };
                continue;
            }

            var unit = ReadCodeUnit(escaped, i);
            i += 4;
            var low = char.IsHighSurrogate(unit) && escaped[i..].StartsWith("\\u"u8) ? ReadCodeUnit(escaped, i + 2) : '\0';
            Rune rune;
            if (char.IsLowSurrogate(low))
            {
                rune = new Rune(unit, low);
                i += 6;
            }
            else
            {
                rune = char.IsSurrogate(unit) ? Rune.ReplacementChar : new Rune(unit);
            }

            written += rune.EncodeToUtf8(destination[written..]);
        }

        return written;
    }

    /// <summary>The four hex digits after <c>\u</c>, which the reader has already checked.</summary>
    private static char ReadCodeUnit(ReadOnlySpan<byte> escaped, int at)
    {
        _ = Utf8Parser.TryParse(escaped.Slice(at, 4), out ushort unit, out _, 'X');
        return (char)unit;
    }
}
