namespace IpEnrich.Core.Extraction;

/// <summary>The ASCII character classes the IP token rules are written in.</summary>
internal static class IpChars
{
    public static bool IsDigit(byte c) => (uint)(c - '0') <= 9;

    public static bool IsHexLetter(byte c) => (uint)((c | 0x20) - 'a') <= 5;

    public static bool IsHexDigit(byte c) => IsDigit(c) || IsHexLetter(c);

    public static bool IsAlphaNumeric(byte c) => IsDigit(c) || (uint)((c | 0x20) - 'a') <= 25;

    public static bool IsWordChar(byte c) => IsAlphaNumeric(c) || c == '_';

    public static bool IsZoneChar(byte c) => IsAlphaNumeric(c) || c is (byte)'_' or (byte)'-' or (byte)'.';
}
