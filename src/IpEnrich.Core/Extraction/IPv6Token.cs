using static IpEnrich.Core.Extraction.IpChars;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Decides whether a run of hex digits and colons in free text is an IPv6 host address: trims the colons of
/// <c>[v6]:port</c> and sentence dots, takes zone ids, and rejects serials, fingerprints, CIDRs and tokens glued to
/// words.
/// </summary>
internal static class IPv6Token
{
    internal enum Verdict
    {
        /// <summary>Not IPv6; the run may still hold IPv4 addresses between its colons.</summary>
        NotAnAddress,
        Accepted,

        /// <summary>IPv6-shaped but not a host address; nothing in the run is taken.</summary>
        Rejected,
    }

    public static Verdict Evaluate(ReadOnlySpan<byte> text, int start, int end, out IpValue value)
    {
        value = default;
        var s = start;
        var e = end;
        while (e > s && text[e - 1] == '.')
        {
            e--;
        }

        if (e - s >= 2 && text[s] == ':' && text[s + 1] != ':')
        {
            s++;
        }

        if (e - s >= 2 && text[e - 1] == ':' && text[e - 2] != ':')
        {
            e--;
        }

        if (s > 0 && IpTokenEdges.IsGluedToPrevious(text, s))
        {
            return Verdict.NotAnAddress;
        }

        var candidate = text[s..e];
        if (candidate.IndexOfAnyInRange((byte)'0', (byte)'9') < 0)
        {
            // "::" alone is an address only when it is the whole value; "Bad::Add" is C++, not IPv6.
            if (!(candidate.SequenceEqual("::"u8) && s == 0 && e == text.Length))
            {
                return Verdict.NotAnAddress;
            }
        }

        if (!IPv6Parser.TryParse(candidate, out var bits, out var allGroupsTwoDigits))
        {
            return Verdict.NotAnAddress;
        }

        if (allGroupsTwoDigits)
        {
            return Verdict.Rejected; // serials, fingerprints: "5C:9C:E1:09:78:87:F8:07"
        }

        if (e < text.Length)
        {
            var next = text[e];
            if (next == '%')
            {
                var z = e + 1;
                while (z < text.Length && IsZoneChar(text[z]))
                {
                    z++;
                }

                if (z == e + 1)
                {
                    return Verdict.Rejected;
                }
            }
            else if (IsWordChar(next) || next == '-')
            {
                return Verdict.Rejected;
            }
            else if (next == '.' && e + 1 < text.Length && IsWordChar(text[e + 1]))
            {
                return Verdict.Rejected;
            }
            else if (next == '/' && IpTokenEdges.IsPrefixLength(text, e + 1, 128))
            {
                return Verdict.Rejected; // a network (CIDR), not a host
            }
        }

        value = IpValue.FromV6(bits);
        return Verdict.Accepted;
    }
}
