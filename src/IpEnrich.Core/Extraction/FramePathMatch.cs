using System.Buffers.Binary;
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

    /// <summary>
    /// <see cref="HashName"/> of the name the value at the top of the stack sits under (its <paramref name="owner"/>,
    /// <see cref="JsonFrame.Owner"/>), computed on first need and kept in the frame; 0 for a value with no name (the
    /// elements of a top-level array).
    /// </summary>
    public static int LeafHash(ReadOnlySpan<byte> json, ref JsonFrame owner, WalkState state)
    {
        if (owner.NameHash == 0 && owner.NameStart >= 0)
        {
            owner.NameHash = HashName(state.NameOf(json, owner));
        }

        return owner.NameHash;
    }

    /// <summary>
    /// A hash of the name's length and first and last eight bytes, never 0: a collision costs only a full match that
    /// fails.
    /// </summary>
    public static int HashName(ReadOnlySpan<byte> name)
    {
        ulong head;
        ulong tail;
        if (name.Length >= sizeof(ulong))
        {
            head = BinaryPrimitives.ReadUInt64LittleEndian(name);
            tail = BinaryPrimitives.ReadUInt64LittleEndian(name[^sizeof(ulong)..]);
        }
        else
        {
            head = 0;
            foreach (var b in name)
            {
                head = (head << 8) | b;
            }

            tail = 0;
        }

        var mixed = (head * 0x9E3779B97F4A7C15UL) ^ (tail * 0xC2B2AE3D27D4EB4FUL) ^ (ulong)name.Length;
        var hash = (int)(mixed ^ (mixed >> 32));
        return hash == 0 ? 1 : hash; // 0 marks a frame's hash as not computed yet
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
