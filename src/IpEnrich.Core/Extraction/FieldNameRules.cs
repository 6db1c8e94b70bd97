namespace IpEnrich.Core.Extraction;

/// <summary>
/// Decides from a property name whether its string value may hold a host IP. Fields named for versions,
/// serials, fingerprints, MACs or hashes hold dotted or colon-hex values that parse as IPs but are not.
/// </summary>
public sealed class FieldNameRules
{
    public static readonly IReadOnlyList<string> DefaultExcludedWords =
    [
        "version", "ver", "serial", "fingerprint", "thumbprint", "mac", "hash", "hashes", "md5", "sha1", "sha256",
        "sha512", "ssdeep", "imphash", "checksum", "ja3", "ja3s", "ja4", "oid", "build",
    ];

    // Excluded words bucketed by length: every property name of every alert is split and checked, so a word is only
    // compared with the few excluded words of its own length.
    private readonly byte[][][] _wordsByLength;

    public FieldNameRules(IEnumerable<string> excludedWords)
    {
        ArgumentNullException.ThrowIfNull(excludedWords);
        var words = excludedWords
            .Where(w => !string.IsNullOrWhiteSpace(w))
            .Select(w => System.Text.Encoding.UTF8.GetBytes(w.Trim().ToLowerInvariant()))
            .ToArray();
        _wordsByLength = new byte[words.Length == 0 ? 1 : words.Max(w => w.Length) + 1][][];
        for (var length = 0; length < _wordsByLength.Length; length++)
        {
            _wordsByLength[length] = [.. words.Where(w => w.Length == length)];
        }
    }

    /// <summary>
    /// True when one of the name's words (split at non-alphanumerics and camelCase humps, so
    /// <c>SourceMACAddress</c> → source, mac, address) is an excluded word.
    /// </summary>
    public bool IsExcluded(ReadOnlySpan<byte> name)
    {
        var i = 0;
        while (i < name.Length)
        {
            while (i < name.Length && !IsAlphaNumeric(name[i]))
            {
                i++;
            }

            var start = i;
            i++;
            while (i < name.Length && IsAlphaNumeric(name[i]) && !StartsNewWord(name, i))
            {
                i++;
            }

            if (i > name.Length)
            {
                break;
            }

            if (IsExcludedWord(name[start..i]))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Whether the value at the top of the walk's stack sits under an excluded name (an array's holder decides for
    /// it); the verdict is kept in the frame until its next property name.
    /// </summary>
    internal bool ExcludesTop(ReadOnlySpan<byte> json, JsonFrame[] frames, int depth, WalkState state)
    {
        ref var frame = ref JsonFrame.Owner(frames, depth);
        if (frame.Verdict == NameVerdict.Unknown)
        {
            frame.Verdict = frame.NameStart >= 0 && IsExcluded(state.NameOf(json, frame))
                ? NameVerdict.Excluded
                : NameVerdict.Scanned;
        }

        return frame.Verdict == NameVerdict.Excluded;
    }

    private bool IsExcludedWord(ReadOnlySpan<byte> word) =>
        IsListed(word) || (word.Length > 1 && (word[^1] | 0x20) == 's' && IsListed(word[..^1])); // plurals too: "macs", "serials"

    private bool IsListed(ReadOnlySpan<byte> word)
    {
        if (word.Length >= _wordsByLength.Length)
        {
            return false;
        }

        foreach (var excluded in _wordsByLength[word.Length])
        {
            if (System.Text.Ascii.EqualsIgnoreCase(word, excluded))
            {
                return true;
            }
        }

        return false;
    }

    // A hump starts a word: "macAddress" → mac|Address; "SourceMACAddress" → Source|MAC|Address.
    private static bool StartsNewWord(ReadOnlySpan<byte> name, int i)
    {
        var c = name[i];
        var prev = name[i - 1];
        if (IsUpper(c) && IsLower(prev))
        {
            return true;
        }

        return IsUpper(c) && IsUpper(prev) && i + 1 < name.Length && IsLower(name[i + 1]);
    }

    private static bool IsUpper(byte c) => (uint)(c - 'A') <= 25;

    private static bool IsLower(byte c) => (uint)(c - 'a') <= 25;

    private static bool IsAlphaNumeric(byte c) => IsUpper(c) || IsLower(c) || (uint)(c - '0') <= 9;
}
