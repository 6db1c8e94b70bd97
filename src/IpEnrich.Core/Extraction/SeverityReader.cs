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

    /// <summary>Bit n is set when a rule's leaf name is n bytes long (bit 63: 63 or more), so most values need no hash.</summary>
    private readonly ulong _leafLengths;

    public SeverityReader(IReadOnlyList<string> rules)
    {
        var parsed = rules.Select(SeverityRule.Parse).ToArray();
        _byLeaf = parsed
            .GroupBy(r => FramePathMatch.HashName(r.Path.LeafName))
            .ToDictionary(g => g.Key, g => g.ToArray());
        foreach (var rule in parsed)
        {
            _leafLengths |= LengthBit(rule.Path.LeafName?.Length ?? 0);
        }
    }

    /// <summary>Sets <see cref="AlertExtraction.DeclaredPriority"/> when the string or number under the reader is the alert's severity.</summary>
    public void Read(ref JsonTokenReader reader, ReadOnlySpan<byte> json, int level, JsonFrame[] frames, int depth, AlertExtraction result)
    {
        if (level != 0 || result.DeclaredPriority is not null)
        {
            return;
        }

        ref var owner = ref JsonFrame.Owner(frames, depth);
        if ((_leafLengths & LengthBit(owner.NameLength)) == 0 || !_byLeaf.TryGetValue(FramePathMatch.LeafHash(json, ref owner, result.WalkState), out var rules))
        {
            return;
        }

        foreach (var rule in rules)
        {
            if (!FramePathMatch.Matches(rule.Path, json, frames, depth, result.WalkState))
            {
                continue;
            }

            result.DeclaredPriority = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number)
                ? rule.Map(default, number)
                : rule.Map(reader.ValueIsEscaped ? result.WalkState.Unescape(ref reader) : reader.ValueSpan, null);
            return;
        }
    }

    private static ulong LengthBit(int length) => 1UL << Math.Min(length, LongName);
}
