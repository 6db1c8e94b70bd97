using System.Runtime.CompilerServices;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// One open object or array on the walk's stack: the array index or property name the value being read sits under,
/// and whether that name excludes its strings from the scan (decided on first need: most names never hold a
/// string worth scanning).
/// </summary>
internal struct JsonFrame
{
    public bool IsArray;
    public int Index;

    /// <summary>Where the property name starts: in the document, or in the name arena when it was escaped.</summary>
    public int NameStart;
    public int NameLength;
    public bool NameInArena;

    /// <summary>The field-name rule's verdict on the current name; for an array, its holder's verdict.</summary>
    public NameVerdict Verdict;

    /// <summary>
    /// <see cref="FramePathMatch.HashName"/> of the property name, the key for leaf-bucketed path lookups; 0 until
    /// <see cref="FramePathMatch.LeafHash"/> or <see cref="SeverityReader.IsLeaf"/> first needs it (most names are never
    /// looked up).
    /// </summary>
    public int NameHash;

    /// <summary>
    /// Whether the current name is the leaf of a severity rule (<see cref="SeverityReader.IsLeaf"/>), judged once per
    /// name so that the values under every other name pass without a lookup; an array inherits its holder's.
    /// </summary>
    public bool MayHoldSeverity;

    /// <summary>Opens the frame of an object or array at <paramref name="depth"/> (the caller has made room).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Open(JsonFrame[] frames, int depth, bool isArray)
    {
        // An array inherits its holder's name: "host.mac": [..] is as excluded as "host.mac": "..".
        var inherits = isArray && depth > 0;
        frames[depth] = new JsonFrame
        {
            IsArray = isArray,
            Index = -1,
            NameStart = -1,
            Verdict = inherits ? NameVerdict.Inherited : NameVerdict.Unknown,
            MayHoldSeverity = inherits && frames[depth - 1].MayHoldSeverity,
        };
    }

    /// <summary>The frame whose property name the value at the top of the stack sits under: an array defers to its holder.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ref JsonFrame Owner(JsonFrame[] frames, int depth)
    {
        var owner = depth - 1;
        while (frames[owner].Verdict == NameVerdict.Inherited)
        {
            owner--;
        }

        return ref frames[owner];
    }

    /// <summary>Advances the innermost frame's index when it is an array, so that it names the element being read.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void CountElement(JsonFrame[] frames, int depth)
    {
        ref var top = ref frames[depth - 1];
        if (top.IsArray)
        {
            top.Index++;
        }
    }
}
