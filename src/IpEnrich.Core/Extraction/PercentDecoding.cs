using System.Buffers.Text;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Decodes URL percent-encoding (<c>%2F198.51.100.5%2F</c>, <c>%31%39%38.51.100.116</c>) so that proxy and WAF alerts
/// are scanned as the text they encode: read raw, the digits of an escape would glue onto the address after it.
/// </summary>
internal static class PercentDecoding
{
    /// <summary>Writes <paramref name="text"/> with every <c>%XX</c> (two hex digits) decoded, once: <c>%252F</c> is <c>%2F</c>.</summary>
    /// <remarks>A '%' not followed by two hex digits (<c>%G1</c>, <c>99%</c>) is kept as is.</remarks>
    /// <param name="destination">At least <paramref name="text"/>'s length: decoding only shortens.</param>
    /// <returns>The number of bytes written.</returns>
    public static int Decode(ReadOnlySpan<byte> text, Span<byte> destination)
    {
        var written = 0;
        var i = 0;
        while (LiteralRun.CopyUntil(text, (byte)'%', ref i, destination, ref written))
        {
            if (i + 3 <= text.Length && Utf8Parser.TryParse(text.Slice(i + 1, 2), out byte decoded, out var digits, 'X') && digits == 2)
            {
                destination[written++] = decoded;
                i += 3;
            }
            else
            {
                destination[written++] = (byte)'%';
                i++;
            }
        }

        return written;
    }
}
