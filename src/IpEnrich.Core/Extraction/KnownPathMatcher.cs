namespace IpEnrich.Core.Extraction;

/// <summary>
/// The paths where alerts put their IPs (<see cref="ExtractionOptions.KnownPaths"/>): IPs found there are listed and
/// looked up first, and their strings are scanned even when the field name or the options would skip them.
/// </summary>
internal sealed class KnownPathMatcher
{
    private readonly Dictionary<int, JsonPathPattern[]> _byLeaf;
    private readonly JsonPathPattern[] _wildcard;

    public KnownPathMatcher(IReadOnlyList<string> paths)
    {
        var patterns = new List<JsonPathPattern>();
        foreach (var text in paths)
        {
            if (!JsonPathPattern.TryParse(text, out var pattern, out var error))
            {
                throw new ArgumentException($"Extraction:KnownPaths: {error}");
            }

            patterns.Add(pattern);
        }

        HasPaths = patterns.Count > 0;
        _wildcard = [.. patterns.Where(p => p.LeafName is null)];
        _byLeaf = patterns.Where(p => p.LeafName is not null)
            .GroupBy(p => FramePathMatch.HashName(p.LeafName))
            .ToDictionary(g => g.Key, g => g.ToArray());
    }

    public bool HasPaths { get; }

    /// <summary>True when the value at the top of <paramref name="frames"/> sits at a known path.</summary>
    public bool Matches(ReadOnlySpan<byte> json, JsonFrame[] frames, int depth, WalkState state)
    {
        if (_byLeaf.TryGetValue(FramePathMatch.LeafHash(json, ref JsonFrame.Owner(frames, depth), state), out var candidates))
        {
            foreach (var pattern in candidates)
            {
                if (FramePathMatch.Matches(pattern, json, frames, depth, state))
                {
                    return true;
                }
            }
        }

        foreach (var pattern in _wildcard)
        {
            if (FramePathMatch.Matches(pattern, json, frames, depth, state))
            {
                return true;
            }
        }

        return false;
    }
}
