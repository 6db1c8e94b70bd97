using System.Globalization;
using System.Text;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// A JSONPath subset for the known IP fields: <c>$</c>, <c>.name</c>, <c>['name']</c>, <c>[n]</c>, <c>[*]</c>,
/// <c>.*</c> and recursive descent <c>..name</c>. Matching is segment-wise, so <c>$['id.orig_h']</c> (one key
/// with a dot, as Zeek writes it) and <c>$.id.orig_h</c> (nested objects) are different paths.
/// </summary>
public sealed class JsonPathPattern
{
    internal enum SegmentKind
    {
        Name,
        AnyName,
        Index,
        AnyIndex,
        Descend,
    }

    internal readonly record struct Segment(SegmentKind Kind, byte[]? Name, int Index);

    private JsonPathPattern(string text, Segment[] segments)
    {
        Text = text;
        Segments = segments;
        var leaf = Array.FindLast(segments, s => s.Kind is SegmentKind.Name or SegmentKind.AnyName);
        LeafName = leaf.Kind == SegmentKind.Name ? leaf.Name : null;
    }

    public string Text { get; }

    internal Segment[] Segments { get; }

    /// <summary>The last named segment, used to pick candidate patterns quickly; null for a wildcard.</summary>
    internal byte[]? LeafName { get; }

    public override string ToString() => Text;

    public static JsonPathPattern Parse(string text)
    {
        if (!TryParse(text, out var pattern, out var error))
        {
            throw new FormatException(error);
        }

        return pattern;
    }

    public static bool TryParse(string text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonPathPattern? pattern, out string error)
    {
        pattern = null;
        error = string.Empty;
        if (string.IsNullOrWhiteSpace(text) || text[0] != '$')
        {
            error = $"JSON path '{text}' must start with '$'";
            return false;
        }

        var segments = new List<Segment>();
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                i++;
                if (i < text.Length && text[i] == '.')
                {
                    segments.Add(new Segment(SegmentKind.Descend, null, 0));
                    i++;
                }

                var start = i;
                while (i < text.Length && text[i] is not ('.' or '['))
                {
                    i++;
                }

                if (i == start)
                {
                    error = $"JSON path '{text}' has an empty name at position {start}";
                    return false;
                }

                var name = text[start..i];
                segments.Add(name == "*"
                    ? new Segment(SegmentKind.AnyName, null, 0)
                    : new Segment(SegmentKind.Name, Encoding.UTF8.GetBytes(name), 0));
            }
            else if (text[i] == '[')
            {
                var close = FindBracketEnd(text, i);
                if (close < 0)
                {
                    error = $"JSON path '{text}' has an unclosed '[' at position {i}";
                    return false;
                }

                var inner = text[(i + 1)..close].Trim();
                if (inner == "*")
                {
                    segments.Add(new Segment(SegmentKind.AnyIndex, null, 0));
                }
                else if (inner.Length >= 2 && inner[0] is '\'' or '"' && inner[^1] == inner[0])
                {
                    var name = inner[1..^1].Replace("\\'", "'", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal);
                    segments.Add(new Segment(SegmentKind.Name, Encoding.UTF8.GetBytes(name), 0));
                }
                else if (int.TryParse(inner, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    segments.Add(new Segment(SegmentKind.Index, null, index));
                }
                else
                {
                    error = $"JSON path '{text}' has an unsupported selector '[{inner}]'";
                    return false;
                }

                i = close + 1;
            }
            else
            {
                error = $"JSON path '{text}' has an unexpected '{text[i]}' at position {i}";
                return false;
            }
        }

        if (segments.Count == 0 || segments[^1].Kind == SegmentKind.Descend)
        {
            error = $"JSON path '{text}' names no field";
            return false;
        }

        pattern = new JsonPathPattern(text, [.. segments]);
        return true;
    }

    private static int FindBracketEnd(string text, int open)
    {
        var quote = '\0';
        for (var i = open + 1; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '\'' or '"')
            {
                quote = c;
            }
            else if (c == ']')
            {
                return i;
            }
        }

        return -1;
    }
}
