using System.Buffers;
using static IpEnrich.Core.Extraction.IpChars;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Finds host IP addresses in free text (UTF-8), allocation-free. The rules (docs/architecture.md §7) are tuned so that
/// look-alikes found in real alerts are not taken: versions (<c>10.0.17763.2686</c>, <c>V1.0.0.2</c>), OIDs,
/// PTR names (<c>3.0.168.192.in-addr.arpa</c>), hostnames that encode IPs (<c>ip-10-0-0-1</c>), timestamps,
/// CIDRs (<c>0.0.0.0/0</c>), MACs, certificate serials and fingerprints. Accepted: <c>ip:port</c>,
/// <c>[v6]:port</c>, zone ids, URLs, command lines, sentence-final periods and defanged dots.
/// </summary>
public static class IpTextScanner
{
    /// <summary>Every address holds one of these; text without any has none to find.</summary>
    internal static readonly SearchValues<byte> Triggers = SearchValues.Create("0123456789:"u8);

    // A dotted quad needs '.' or a defanged dot, which opens with a bracket; IPv6 needs ':'; '%' and '\\' may encode either.
    private static readonly SearchValues<byte> Separators = SearchValues.Create(".:[({%\\"u8);

    private static readonly SearchValues<byte> DefangOpeners = SearchValues.Create("[({"u8);

    private static readonly SearchValues<byte> DigitsAndDots = SearchValues.Create("0123456789."u8);

    /// <summary>
    /// False when a raw JSON string (still escaped and percent-encoded) can hold neither an address nor an embedded
    /// document: it lacks a digit or colon, or a separator.
    /// </summary>
    internal static bool MayHoldAddress(ReadOnlySpan<byte> raw) => MayHoldAddress(raw, raw.ContainsAny(Triggers));

    /// <summary>
    /// <see cref="MayHoldAddress(ReadOnlySpan{byte})"/> for a string whose digits and colons are known: the reader notes
    /// them while it looks for the string's end, so most strings are dismissed without another pass.
    /// </summary>
    internal static bool MayHoldAddress(ReadOnlySpan<byte> raw, bool hasDigitOrColon) => hasDigitOrColon && raw.ContainsAny(Separators);

    /// <summary>Appends every host IP found in <paramref name="text"/> to <paramref name="found"/>.</summary>
    /// <returns>The number of addresses appended.</returns>
    public static int Scan(ReadOnlySpan<byte> text, List<IpValue> found)
    {
        ArgumentNullException.ThrowIfNull(found);
        var before = found.Count;
        if (!text.ContainsAnyExcept(DigitsAndDots))
        {
            // Only digits and dots, as in the most common scanned string, a bare dotted quad: one run, from the start.
            if (IPv4Token.TryRead(text, 0, out var quad))
            {
                found.Add(quad);
            }

            return found.Count - before;
        }

        if (!MayHoldRun(text) || IsoTimestamp.IsWhole(text))
        {
            return 0;
        }

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

            var end = RunEnd(text, hit, out var dots, out var colons);
            // A dotted quad needs three dots, IPv6 two colons: shorter runs (dates, counts, ids) hold neither.
            if (dots >= 3 || colons >= 2)
            {
                EvaluateRun(text, start, end, colons, found);
            }

            pos = end == start ? end + 1 : end;
        }

        return found.Count - before;
    }

    /// <summary>
    /// A dotted quad needs three dots (a defanged one without '.' opens with a bracket), IPv6 two colons: text with
    /// fewer (paths, timestamps without seconds, prose) is dismissed in a few vectorised counts, not run by run.
    /// </summary>
    private static bool MayHoldRun(ReadOnlySpan<byte> text) =>
        text.Count((byte)'.') >= 3 || text.Count((byte)':') >= 2 || text.ContainsAny(DefangOpeners);

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

    private static void EvaluateRun(ReadOnlySpan<byte> text, int start, int end, int colons, List<IpValue> found)
    {
        if (colons >= 2)
        {
            switch (IPv6Token.Evaluate(text, start, end, out var v6))
            {
                case IPv6Token.Verdict.Accepted:
                    found.Add(v6);
                    return;
                case IPv6Token.Verdict.Rejected:
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

            if (segmentStart < i && IsDigit(text[segmentStart]) && IPv4Token.TryRead(text, segmentStart, out var v4))
            {
                found.Add(v4);
            }

            segmentStart = i + 1;
        }
    }

    /// <summary>
    /// The end of the run of hex digits, colons, dots and defanged dots that starts at or before hit, with the
    /// number of dots (defanged ones included) and colons in it.
    /// </summary>
    private static int RunEnd(ReadOnlySpan<byte> text, int hit, out int dots, out int colons)
    {
        dots = 0;
        colons = 0;
        var i = hit;
        while (i < text.Length)
        {
            var c = text[i];
            if (IsHexDigit(c))
            {
                i++;
                continue;
            }

            if (c == ':')
            {
                colons++;
                i++;
                continue;
            }

            var dot = DefangedDot.Length(text, i);
            if (dot == 0)
            {
                break;
            }

            dots++;
            i += dot;
        }

        return i;
    }
}
