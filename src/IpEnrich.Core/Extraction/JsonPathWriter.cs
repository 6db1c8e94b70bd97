namespace IpEnrich.Core.Extraction;

/// <summary>
/// Writes the walk's frame stack as a UTF-8 JSONPath string (<c>$.a[0].b</c>, <c>$['id.orig_h']</c>) into the result's
/// path text, where the IP listings point to it.
/// </summary>
internal static class JsonPathWriter
{
    /// <param name="prefix">
    /// Where the path of the string an embedded document was read from is committed; null for the alert itself.
    /// </param>
    /// <param name="suffix">Appended after the last segment, UTF-8; empty for none.</param>
    /// <returns>Where the path was committed in <paramref name="result"/>'s path text.</returns>
    public static (int Start, int Length) Write(ReadOnlySpan<byte> json, (int Start, int Length)? prefix,
        JsonFrame[] frames, int depth, AlertExtraction result, ReadOnlySpan<byte> suffix)
    {
        // Worst case per segment: ['name'] with every byte escaped, or [index].
        var capacity = (prefix?.Length ?? 1) + suffix.Length;
        for (var i = 0; i < depth; i++)
        {
            capacity += frames[i].IsArray ? 13 : (2 * frames[i].NameLength) + 4;
        }

        var span = result.ReservePathBytes(capacity);
        var state = result.WalkState;
        var w = 0;
        if (prefix is null)
        {
            span[w++] = (byte)'$';
        }
        else
        {
            result.PathText(prefix.Value.Start, prefix.Value.Length).CopyTo(span);
            w += prefix.Value.Length;
        }

        for (var i = 0; i < depth; i++)
        {
            var frame = frames[i];
            if (frame.IsArray)
            {
                span[w++] = (byte)'[';
                frame.Index.TryFormat(span[w..], out var n, provider: System.Globalization.CultureInfo.InvariantCulture);
                w += n;
                span[w++] = (byte)']';
            }
            else
            {
                w += WriteName(state.NameOf(json, frame), span[w..]);
            }
        }

        suffix.CopyTo(span[w..]);
        w += suffix.Length;

        return (result.CommitPath(w), w);
    }

    /// <summary>Names are UTF-8 already (the alert is validated, unescaped names are re-encoded): copied, not transcoded.</summary>
    private static int WriteName(ReadOnlySpan<byte> name, Span<byte> destination)
    {
        if (IsSimpleName(name))
        {
            destination[0] = (byte)'.';
            name.CopyTo(destination[1..]);
            return 1 + name.Length;
        }

        // Bracket notation for names with dots, spaces, brackets or quotes: $['id.orig_h'].
        var w = 0;
        destination[w++] = (byte)'[';
        destination[w++] = (byte)'\'';
        foreach (var c in name)
        {
            if (c is (byte)'\'' or (byte)'\\')
            {
                destination[w++] = (byte)'\\';
            }

            destination[w++] = c;
        }

        destination[w++] = (byte)'\'';
        destination[w++] = (byte)']';
        return w;
    }

    private static bool IsSimpleName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || (uint)(name[0] - '0') <= 9)
        {
            return false;
        }

        foreach (var c in name)
        {
            var ok = (uint)((c | 0x20) - 'a') <= 25 || (uint)(c - '0') <= 9 || c is (byte)'_' or (byte)'$' or (byte)'@' or (byte)'-';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}
