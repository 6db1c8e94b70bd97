using System.Diagnostics.CodeAnalysis;
using System.Net;

namespace IpEnrich.Emulator.Api;

/// <summary>
/// Strict validation of the {ip} path segment: a dotted quad or an IPv6 literal, nothing else — no zone, brackets,
/// port, short forms like "1.2.3" that IPAddress.Parse tolerates, or smuggled path text.
/// </summary>
public static class IpAddressText
{
    private static readonly System.Buffers.SearchValues<char> Forbidden = System.Buffers.SearchValues.Create("%[]/\\ ");

    public static bool TryParse(string? text, [NotNullWhen(true)] out IPAddress? address)
    {
        address = null;
        if (string.IsNullOrEmpty(text) || text.Length > 45 || text.AsSpan().IndexOfAny(Forbidden) >= 0)
        {
            return false;
        }

        if (!text.Contains(':', StringComparison.Ordinal) && !IsDottedQuad(text))
        {
            return false;
        }

        return IPAddress.TryParse(text, out address);
    }

    private static bool IsDottedQuad(string text)
    {
        var parts = text.Split('.');
        return parts.Length == 4 && parts.All(p => p.Length is >= 1 and <= 3 && p.All(char.IsAsciiDigit) && int.Parse(p, System.Globalization.CultureInfo.InvariantCulture) <= 255);
    }
}
