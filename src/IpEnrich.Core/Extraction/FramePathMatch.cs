using System.Runtime.CompilerServices;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Matches a <see cref="JsonPathPattern"/> against the walk's frame stack, the path of the value being read.
/// Pattern tables are keyed by <see cref="HashName"/> of the pattern's leaf name, so each value is tried only
/// against the patterns that end in its own property name.
/// </summary>
internal static class FramePathMatch
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Matches(JsonPathPattern pattern, ReadOnlySpan<byte> json, JsonFrame[] frames, int depth, WalkState state) =>
        Matches(pattern.Segments, 0, json, frames, 0, depth, state);

    public static int HashName(ReadOnlySpan<byte> name)
    {
        var hash = new HashCode();
        hash.AddBytes(name);
        return hash.ToHashCode();
    }

    private static bool Matches(JsonPathPattern.Segment[] pattern, int pi, ReadOnlySpan<byte> json,
        JsonFrame[] frames, int fi, int depth, WalkState state)
    {
        while (true)
        {
            if (pi == pattern.Length)
            {
                return fi == depth;
            }

            var segment = pattern[pi];
            if (segment.Kind == JsonPathPattern.SegmentKind.Descend)
            {
                for (var k = fi; k < depth; k++)
                {
                    if (Matches(pattern, pi + 1, json, frames, k, depth, state))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (fi == depth)
            {
                return false;
            }

            var frame = frames[fi];
            var ok = segment.Kind switch
            {
                JsonPathPattern.SegmentKind.AnyIndex => frame.IsArray,
                JsonPathPattern.SegmentKind.Index => frame.IsArray && frame.Index == segment.Index,
                JsonPathPattern.SegmentKind.AnyName => !frame.IsArray,
                _ => !frame.IsArray && state.NameOf(json, frame).SequenceEqual(segment.Name),
            };
            if (!ok)
            {
                return false;
            }

            pi++;
            fi++;
        }
    }
}
