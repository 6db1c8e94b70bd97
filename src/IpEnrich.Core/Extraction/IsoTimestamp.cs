using static IpEnrich.Core.Extraction.IpChars;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Recognises a text that is one ISO 8601 date and time and nothing else (<c>2024-01-15T10:23:45.123Z</c>, with a
/// space for the T, a comma for the point, an offset or no seconds). Alerts carry several; their colons and points
/// pass the scanner's run check, yet a whole timestamp holds no address.
/// </summary>
internal static class IsoTimestamp
{
    public static bool IsWhole(ReadOnlySpan<byte> t)
    {
        if (t.Length < 16 || !Digits(t, 0, 4) || t[4] != '-' || !Digits(t, 5, 2) || t[7] != '-' || !Digits(t, 8, 2)
            || t[10] is not ((byte)'T' or (byte)' ') || !Digits(t, 11, 2) || t[13] != ':' || !Digits(t, 14, 2))
        {
            return false;
        }

        var i = 16;
        if (i < t.Length && t[i] == ':')
        {
            if (!Digits(t, i + 1, 2))
            {
                return false;
            }

            i += 3;
            if (i < t.Length && t[i] is (byte)'.' or (byte)',')
            {
                var fraction = ++i;
                while (i < t.Length && IsDigit(t[i]))
                {
                    i++;
                }

                if (i == fraction)
                {
                    return false;
                }
            }
        }

        return IsZone(t[i..]);
    }

    // Nothing, Z, or an offset: +01:00, +0100, +01.
    private static bool IsZone(ReadOnlySpan<byte> z) =>
        z.IsEmpty
        || (z.Length == 1 && z[0] == 'Z')
        || (z.Length > 0 && z[0] is (byte)'+' or (byte)'-'
            && ((z.Length == 6 && Digits(z, 1, 2) && z[3] == ':' && Digits(z, 4, 2))
                || (z.Length == 5 && Digits(z, 1, 4))
                || (z.Length == 3 && Digits(z, 1, 2))));

    private static bool Digits(ReadOnlySpan<byte> t, int start, int count) =>
        start + count <= t.Length && !t.Slice(start, count).ContainsAnyExceptInRange((byte)'0', (byte)'9');
}
