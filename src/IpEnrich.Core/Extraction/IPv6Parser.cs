namespace IpEnrich.Core.Extraction;

/// <summary>A strict RFC 4291 text parser over ASCII bytes (groups, one "::", optional dotted IPv4 tail).</summary>
internal static class IPv6Parser
{
    public static bool TryParse(ReadOnlySpan<byte> text, out UInt128 bits, out bool allGroupsTwoDigits)
    {
        bits = 0;
        allGroupsTwoDigits = true;
        if (text.Length < 2 || text.Length > 45)
        {
            return false;
        }

        Span<ushort> head = stackalloc ushort[8];
        Span<ushort> tail = stackalloc ushort[8];
        var headCount = 0;
        var tailCount = 0;
        var compressed = false;
        var hexGroups = 0;
        var i = 0;

        if (text[0] == ':')
        {
            if (text[1] != ':')
            {
                return false;
            }

            compressed = true;
            i = 2;
        }

        while (i < text.Length)
        {
            var groupStart = i;
            var value = 0;
            while (i < text.Length && i - groupStart < 5 && IsHex(text[i], out var nibble))
            {
                value = (value << 4) | nibble;
                i++;
            }

            var length = i - groupStart;
            if (i < text.Length && text[i] == '.')
            {
                // Dotted IPv4 tail: takes the last 32 bits.
                if (!TryParseV4Tail(text[groupStart..], out var v4) || headCount + tailCount > 6)
                {
                    return false;
                }

                ref var count = ref compressed ? ref tailCount : ref headCount;
                var target = compressed ? tail : head;
                target[count++] = (ushort)(v4 >> 16);
                target[count++] = (ushort)v4;
                i = text.Length;
                break;
            }

            if (length is 0 or > 4)
            {
                return false;
            }

            hexGroups++;
            allGroupsTwoDigits &= length == 2;
            if (compressed)
            {
                if (tailCount == 8)
                {
                    return false;
                }

                tail[tailCount++] = (ushort)value;
            }
            else
            {
                if (headCount == 8)
                {
                    return false;
                }

                head[headCount++] = (ushort)value;
            }

            if (i == text.Length)
            {
                break;
            }

            if (text[i] != ':')
            {
                return false;
            }

            i++;
            if (i < text.Length && text[i] == ':')
            {
                if (compressed)
                {
                    return false;
                }

                compressed = true;
                i++;
                if (i == text.Length)
                {
                    break;
                }
            }
            else if (i == text.Length)
            {
                return false; // trailing single colon
            }
        }

        var total = headCount + tailCount;
        if (compressed ? total > 7 : total != 8)
        {
            return false;
        }

        if (hexGroups == 0)
        {
            allGroupsTwoDigits = false;
        }

        for (var g = 0; g < headCount; g++)
        {
            bits |= (UInt128)head[g] << (16 * (7 - g));
        }

        for (var g = 0; g < tailCount; g++)
        {
            bits |= (UInt128)tail[g] << (16 * (tailCount - 1 - g));
        }

        return true;
    }

    private static bool TryParseV4Tail(ReadOnlySpan<byte> text, out uint bits)
    {
        bits = 0;
        var part = 0;
        var i = 0;
        while (part < 4)
        {
            if (!DecimalOctet.TryRead(text, ref i, out var octet))
            {
                return false;
            }

            bits = (bits << 8) | octet;
            part++;
            if (part < 4)
            {
                if (i >= text.Length || text[i] != '.')
                {
                    return false;
                }

                i++;
            }
        }

        return i == text.Length;
    }

    private static bool IsHex(byte c, out int nibble)
    {
        if ((uint)(c - '0') <= 9)
        {
            nibble = c - '0';
            return true;
        }

        var lower = c | 0x20;
        if ((uint)(lower - 'a') <= 5)
        {
            nibble = lower - 'a' + 10;
            return true;
        }

        nibble = 0;
        return false;
    }
}
