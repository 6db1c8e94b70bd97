namespace IpEnrich.Core.Extraction;

/// <summary>The text between escapes, which the JSON and percent decoders copy in bulk rather than byte by byte.</summary>
internal static class LiteralRun
{
    /// <summary>
    /// Copies text[i..] up to the next <paramref name="marker"/> to destination[written..], advancing both.
    /// </summary>
    /// <returns>True when it stopped at a marker (text[i] is the marker); false at the end of the text.</returns>
    public static bool CopyUntil(ReadOnlySpan<byte> text, byte marker, ref int i, Span<byte> destination, ref int written)
    {
        var next = text[i..].IndexOf(marker);
        var literal = next < 0 ? text[i..] : text.Slice(i, next);
        literal.CopyTo(destination[written..]);
        written += literal.Length;
        i += literal.Length;
        return next >= 0;
    }
}
