namespace IpEnrich.Core.Extraction;

/// <summary>
/// Writes the walk's frame stack as a JSONPath string (<c>$.a[0].b</c>, <c>$['id.orig_h']</c>) into the result's
/// path text, where the IP listings point to it.
/// </summary>
internal static class JsonPathWriter
{
    /// <param name="prefix">
    /// Where the path of the string an embedded document was read from is committed; null for the alert itself.
    /// </param>
    /// <param name="suffix">Appended after the last segment; null for none.</param>
    /// <returns>Where the path was committed in <paramref name="result"/>'s path text.</returns>
    public static (int Start, int Length) Write(ReadOnlySpan<byte> json, (int Start, int Length)? prefix,
        JsonFrame[] frames, int depth, AlertExtraction result, string? suffix)
    {
        // Worst case per segment: ['name'] with every char escaped, or [index].
        var capacity = (prefix?.Length ?? 1) + (suffix?.Length ?? 0);
        for (var i = 0; i < depth; i++)
        {
            capacity += frames[i].IsArray ? 13 : (2 * frames[i].NameLength) + 4;
        }

        var span = result.ReservePathChars(capacity);
        var state = result.WalkState;
        var w = 0;
        if (prefix is null)
        {
            span[w++] = '$';
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
                span[w++] = '[';
                frame.Index.TryFormat(span[w..], out var n, provider: System.Globalization.CultureInfo.InvariantCulture);
                w += n;
                span[w++] = ']';
            }
            else
            {
                w += WriteName(state.NameOf(json, frame), span[w..]);
            }
        }

        if (suffix is not null)
        {
            suffix.AsSpan().CopyTo(span[w..]);
            w += suffix.Length;
        }

        return (result.CommitPath(w), w);
    }

    private static int WriteName(ReadOnlySpan<byte> name, Span<char> destination)
    {
        if (IsSimpleName(name))
        {
            destination[0] = '.';
            return 1 + System.Text.Encoding.UTF8.GetChars(name, destination[1..]);
        }

        // Bracket notation for names with dots, spaces, brackets or quotes: $['id.orig_h'].
        var w = 0;
        destination[w++] = '[';
        destination[w++] = '\'';
        Span<char> chars = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        var count = System.Text.Encoding.UTF8.GetChars(name, chars);
        foreach (var c in chars[..count])
        {
            if (c is '\'' or '\\')
            {
                destination[w++] = '\\';
            }

            destination[w++] = c;
        }

        destination[w++] = '\'';
        destination[w++] = ']';
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
