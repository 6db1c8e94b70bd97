namespace IpEnrich.Core.Extraction;

/// <summary>
/// The dot between address parts, defanged or not: analysts write <c>1[.]2[.]3[.]4</c> so that an indicator cannot be
/// clicked, and such an address is still the address.
/// </summary>
internal static class DefangedDot
{
    /// <summary>Length of a dot at text[i]: 1 for '.', 3 for "[.]", "(.)", "{.}", 5 for "[dot]"; 0 when none.</summary>
    public static int Length(ReadOnlySpan<byte> text, int i)
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
}
