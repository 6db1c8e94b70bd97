using static IpEnrich.Core.Extraction.IpChars;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// What may stand right before and after an address: a token glued to a word, a dotted name or a range is part of
/// something else, and one followed by a prefix length is a network, not a host.
/// </summary>
internal static class IpTokenEdges
{
    /// <summary>True when text[start - 1] joins the token to what precedes it ("v1.2.3.4", "x.1.2.3.4", "a-1.2.3.4").</summary>
    public static bool IsGluedToPrevious(ReadOnlySpan<byte> text, int start)
    {
        var prev = text[start - 1];
        if (IsWordChar(prev) || prev == '.')
        {
            return true;
        }

        return prev == '-' && start > 1 && IsAlphaNumeric(text[start - 2]); // the second half of a range, or a hostname part
    }

    /// <summary>True when text[at..] is a whole number of at most three digits that is ≤ max.</summary>
    public static bool IsPrefixLength(ReadOnlySpan<byte> text, int at, int max)
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
}
