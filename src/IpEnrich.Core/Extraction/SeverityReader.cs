using System.Text.Json;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Reads the alert's priority from its severity field (<see cref="ExtractionOptions.SeverityPaths"/>): the first
/// rule whose path matches a value of the top-level document sets it, and later values do not change it.
/// </summary>
internal sealed class SeverityReader
{
    private readonly Dictionary<int, SeverityRule[]> _byLeaf;

    public SeverityReader(IReadOnlyList<string> rules)
    {
        _byLeaf = rules.Select(SeverityRule.Parse)
            .GroupBy(r => FramePathMatch.HashName(r.Path.LeafName))
            .ToDictionary(g => g.Key, g => g.ToArray());
    }

    /// <summary>Sets <see cref="AlertExtraction.DeclaredPriority"/> when the string or number under the reader is the alert's severity.</summary>
    public void Read(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int level, JsonFrame[] frames, int depth, AlertExtraction result)
    {
        if (level != 0 || result.DeclaredPriority is not null || !_byLeaf.TryGetValue(frames[depth - 1].NameHash, out var rules))
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
}
