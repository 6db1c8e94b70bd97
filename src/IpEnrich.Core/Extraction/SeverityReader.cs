using System.Runtime.CompilerServices;
using System.Text.Json;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Reads the alert's priority from its severity field (<see cref="ExtractionOptions.SeverityPaths"/>): the first
/// rule whose path matches a value of the top-level document sets it, and later values do not change it.
/// </summary>
internal sealed class SeverityReader
{
    private const int LongName = 63;

    private readonly Dictionary<int, SeverityRule[]> _byLeaf;

    /// <summary>Bit n is set when a rule's leaf name is n bytes long (bit 63: 63 or more), so most names need no hash.</summary>
    private readonly ulong _leafLengths;

    /// <summary>The rules that end in <c>.*</c>: tried for a value under any name.</summary>
    private readonly SeverityRule[] _anyLeaf;

    public SeverityReader(IReadOnlyList<string> rules)
    {
        var parsed = rules.Select(SeverityRule.Parse).ToArray();
        var named = parsed.Where(r => r.Path.LeafName is not null).ToArray();
        _anyLeaf = [.. parsed.Where(r => r.Path.LeafName is null)];
        _byLeaf = named
            .GroupBy(r => FramePathMatch.HashName(r.Path.LeafName))
            .ToDictionary(g => g.Key, g => g.ToArray());
        foreach (var rule in named)
        {
            _leafLengths |= LengthBit(rule.Path.LeafName!.Length);
        }
    }

    /// <summary>
    /// Whether a value under <paramref name="name"/>, just read into <paramref name="frame"/>, may be the severity: only
    /// such values are given to <see cref="Read"/>. Most names fail on their length alone, without a hash; a name that
    /// is hashed keeps its hash in the frame for <see cref="Read"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool IsLeaf(ReadOnlySpan<byte> name, ref JsonFrame frame) =>
        ((_leafLengths & LengthBit(name.Length)) != 0 && HasLeaf(name, ref frame)) || _anyLeaf.Length > 0;

    private bool HasLeaf(ReadOnlySpan<byte> name, ref JsonFrame frame)
    {
        frame.NameHash = FramePathMatch.HashName(name);
        return _byLeaf.ContainsKey(frame.NameHash);
    }

    /// <summary>
    /// Sets <see cref="AlertExtraction.DeclaredPriority"/> when the string or number under the reader, a value of the
    /// top-level document under a name <see cref="IsLeaf"/> accepted, is the alert's severity.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)] // rare: kept out of the walk's loop
    public void Read(ref JsonTokenReader reader, ReadOnlySpan<byte> json, JsonFrame[] frames, int depth, AlertExtraction result)
    {
        if (result.DeclaredPriority is not null)
        {
            return;
        }

        ref var owner = ref JsonFrame.Owner(frames, depth);
        if (_byLeaf.TryGetValue(FramePathMatch.LeafHash(json, ref owner, result.WalkState), out var rules)
            && TryRead(rules, ref reader, json, frames, depth, result))
        {
            return;
        }

        TryRead(_anyLeaf, ref reader, json, frames, depth, result);
    }

    private static bool TryRead(SeverityRule[] rules, ref JsonTokenReader reader, ReadOnlySpan<byte> json, JsonFrame[] frames,
        int depth, AlertExtraction result)
    {
        foreach (var rule in rules)
        {
            if (FramePathMatch.Matches(rule.Path, json, frames, depth, result.WalkState))
            {
                result.DeclaredPriority = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number)
                    ? rule.Map(default, number)
                    : rule.Map(reader.ValueIsEscaped ? result.WalkState.Unescape(ref reader) : reader.ValueSpan, null);
                return true;
            }
        }

        return false;
    }

    private static ulong LengthBit(int length) => 1UL << Math.Min(length, LongName);
}
