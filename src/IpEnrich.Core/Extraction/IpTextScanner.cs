using System.Buffers;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Finds host IP addresses in free text (UTF-8), allocation-free. The rules (DESIGN §4) are tuned so that
/// look-alikes found in real alerts are not taken: versions (<c>10.0.17763.2686</c>, <c>V1.0.0.2</c>), OIDs,
/// PTR names (<c>3.0.168.192.in-addr.arpa</c>), hostnames that encode IPs (<c>ip-10-0-0-1</c>), timestamps,
/// CIDRs (<c>0.0.0.0/0</c>), MACs, certificate serials and fingerprints. Accepted: <c>ip:port</c>,
/// <c>[v6]:port</c>, zone ids, URLs, command lines, sentence-final periods and defanged dots.
/// </summary>
public static class IpTextScanner
{
    private static readonly SearchValues<byte> Triggers = SearchValues.Create("0123456789:"u8);

    /// <summary>Appends every host IP found in <paramref name="text"/> to <paramref name="found"/>.</summary>
    /// <returns>The number of addresses appended.</returns>
    public static int Scan(ReadOnlySpan<byte> text, List<IpValue> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        var before = found.Count;
        var pos = 0;
        while (pos < text.Length)
        {
            var rel = text[pos..].IndexOfAny(Triggers);
            if (rel < 0)
            {
                break;
            }

            var hit = pos + rel;
            var start = hit;
            while (start > pos && IsHexLetter(text[start - 1]))
            {
                start--;
            }

            var end = RunEnd(text, hit);
            EvaluateRun(text, start, end, found);
            pos = end == start ? end + 1 : end;
        }

        return found.Count - before;
    }

    /// <summary>Parses a whole value that must be exactly one IP (optionally with port, brackets or zone id).</summary>
    public static bool TryParseExact(ReadOnlySpan<byte> text, out IpValue value)
    {
        var list = new List<IpValue>(1);
        value = default;
        var trimmed = text.Trim(" \t"u8);
        if (Scan(trimmed, list) != 1)
        {
            return false;
        }

        value = list[0];
        return true;
    }

    private static void EvaluateRun(ReadOnlySpan<byte> text, int start, int end, List<IpValue> found)
    {
        var run = text[start..end];
        var colons = run.Count((byte)':');
        if (colons >= 2)
        {
            switch (TryIPv6(text, start, end, out var v6))
            {
                case Verdict.Accepted:
                    found.Add(v6);
                    return;
                case Verdict.Rejected:
                    return;
            }
        }

        // IPv4, possibly surrounded by colons: "1.2.3.4:443", "sip:1.2.3.4:5060", "outside:1.2.3.4/80".
        var segmentStart = start;
        for (var i = start; i <= end; i++)
        {
            if (i < end && text[i] != ':')
            {
                continue;
            }

            if (segmentStart < i && IsDigit(text[segmentStart]) && TryIPv4(text, segmentStart, out var v4))
            {
                found.Add(v4);
            }

            segmentStart = i + 1;
        }
    }

    private enum Verdict
    {
        NotAnAddress,
        Accepted,
        Rejected,
    }

    private static Verdict TryIPv6(ReadOnlySpan<byte> text, int start, int end, out IpValue value)
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

        if (s > 0 && IsBoundaryViolation(text, s))
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
            else if (next == '/' && IsPrefixLength(text, e + 1, 128))
            {
                return Verdict.Rejected; // a network (CIDR), not a host
            }
        }

        value = IpValue.FromV6(bits);
        return Verdict.Accepted;
    }

    private static bool TryIPv4(ReadOnlySpan<byte> text, int start, out IpValue value)
    {
        value = default;
        if (start > 0)
        {
            var prev = text[start - 1];
            if (IsWordChar(prev) || prev == '.')
            {
                return false;
            }

            if (prev == '-' && start > 1 && IsAlphaNumeric(text[start - 2]))
            {
                return false; // the second half of a range, or a hostname part
            }
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
                var separator = DotLength(text, i);
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

            var dot = DotLength(text, i);
            if (dot > 0 && i + dot < text.Length && IsWordChar(text[i + dot]))
            {
                return false; // a fifth part ("1.2.3.4.5") or a name ("…192.in-addr.arpa")
            }

            var afterUrlScheme = start >= 2 && text[start - 1] == '/' && text[start - 2] == '/';
            if (next == '/' && !afterUrlScheme && IsPrefixLength(text, i + 1, 32))
            {
                return false; // "0.0.0.0/0" names a network; "outside:1.2.3.4/80" keeps its port
            }
        }

        value = IpValue.FromV4(bits);
        return true;
    }

    /// <summary>True when text[at..] is a whole number of at most three digits that is ≤ max.</summary>
    private static bool IsPrefixLength(ReadOnlySpan<byte> text, int at, int max)
    {
        var value = 0;
        var digits = 0;
        var i = at;
        while (i < text.Length && IsDigit(text[i]))
        {
            if (++digits > 3)
            {
                return false;
            }

            value = (value * 10) + (text[i] - '0');
            i++;
        }

        if (digits == 0 || value > max)
        {
            return false;
        }

        return i == text.Length || !(IsWordChar(text[i]) || text[i] == '.');
    }

    /// <summary>Length of a dot at text[i]: 1 for '.', 3 for "[.]", "(.)", "{.}", 5 for "[dot]"; 0 when none.</summary>
    private static int DotLength(ReadOnlySpan<byte> text, int i)
    {
        if (i >= text.Length)
        {
            return 0;
        }

        var c = text[i];
        if (c == '.')
        {
            return 1;
        }

        if (c is not ((byte)'[' or (byte)'(' or (byte)'{'))
        {
            return 0;
        }

        var close = c switch
        {
            (byte)'[' => (byte)']',
            (byte)'(' => (byte)')',
            _ => (byte)'}',
        };
        if (i + 2 < text.Length && text[i + 1] == '.' && text[i + 2] == close)
        {
            return 3;
        }

        if (i + 4 < text.Length && text[i + 4] == close && System.Text.Ascii.EqualsIgnoreCase(text.Slice(i + 1, 3), "dot"u8))
        {
            return 5;
        }

        return 0;
    }

    /// <summary>The end of the run of hex digits, colons, dots and defanged dots that starts at or before hit.</summary>
    private static int RunEnd(ReadOnlySpan<byte> text, int hit)
    {
        var i = hit;
        while (i < text.Length)
        {
            var c = text[i];
            if (IsHexDigit(c) || c == ':' || c == '.')
            {
                i++;
                continue;
            }

            var dot = DotLength(text, i);
            if (dot == 0)
            {
                break;
            }

            i += dot;
        }

        return i;
    }

    private static bool IsBoundaryViolation(ReadOnlySpan<byte> text, int start)
    {
        var prev = text[start - 1];
        if (IsWordChar(prev) || prev == '.')
        {
            return true;
        }

        return prev == '-' && start > 1 && IsAlphaNumeric(text[start - 2]);
    }

    private static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    private static bool IsHexLetter(byte c) => (uint)((c | 0x20) - 'a') <= 5;

    private static bool IsHexDigit(byte c) => IsDigit(c) || IsHexLetter(c);

    private static bool IsAlphaNumeric(byte c) => IsDigit(c) || (uint)((c | 0x20) - 'a') <= 25;

    private static bool IsWordChar(byte c) => IsAlphaNumeric(c) || c == '_';

    private static bool IsZoneChar(byte c) => IsAlphaNumeric(c) || c is (byte)'_' or (byte)'-' or (byte)'.';
}
