namespace IpEnrich.Core.Extraction;

/// <summary>Reads one dotted-quad part: 1 to 3 decimal digits, at most 255 (leading zeros are decimal, not octal).</summary>
internal static class DecimalOctet
{
    public static bool TryRead(ReadOnlySpan<byte> text, ref int i, out uint octet)
    {
        octet = 0;
        var digits = 0;
        while (i < text.Length && (uint)(text[i] - '0') <= 9)
        {
            if (++digits > 3)
            {
                return false;
            }

            octet = (octet * 10) + (uint)(text[i] - '0');
            i++;
        }

        return digits > 0 && octet <= 255;
    }
}
