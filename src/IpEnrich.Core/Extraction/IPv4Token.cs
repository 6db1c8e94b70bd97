using static IpEnrich.Core.Extraction.IpChars;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Reads a dotted quad from free text and decides whether it is a host address: not a version or OID with a fifth
/// part, not the start of a PTR name, not glued to a word or range, not a network with a prefix length.
/// </summary>
internal static class IPv4Token
{
    public static bool TryRead(ReadOnlySpan<byte> text, int start, out IpValue value)
    {
        value = default;
        if (start > 0 && IpTokenEdges.IsGluedToPrevious(text, start))
        {
            return false;
        }

        uint bits = 0;
        var i = start;
        for (var part = 0; part < 4; part++)
        {
            if (!DecimalOctet.TryRead(text, ref i, out var octet))
            {
                return false;
            }

            bits = (bits << 8) | octet;
            if (part < 3)
            {
                var separator = DefangedDot.Length(text, i);
                if (separator == 0)
                {
                    return false;
                }

                i += separator;
            }
        }

        if (i < text.Length)
        {
            var next = text[i];
            if (IsWordChar(next) || next == '-')
            {
                return false;
            }

            var dot = DefangedDot.Length(text, i);
            if (dot > 0 && i + dot < text.Length && IsWordChar(text[i + dot]))
            {
                return false; // a fifth part ("1.2.3.4.5") or a name ("…192.in-addr.arpa")
            }

            var afterUrlScheme = start >= 2 && text[start - 1] == '/' && text[start - 2] == '/';
            if (next == '/' && !afterUrlScheme && IpTokenEdges.IsPrefixLength(text, i + 1, 32))
            {
                return false; // "0.0.0.0/0" names a network; "outside:1.2.3.4/80" keeps its port
            }
        }

        value = IpValue.FromV4(bits);
        return true;
    }
}
