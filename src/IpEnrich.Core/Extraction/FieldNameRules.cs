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

    private readonly byte[][] _words;

    public FieldNameRules(IEnumerable<string> excludedWords)
    {
        ArgumentNullException.ThrowIfNull(excludedWords);
        _words = excludedWords
            .Where(w => !string.IsNullOrWhiteSpace(w))
            .Select(w => System.Text.Encoding.UTF8.GetBytes(w.Trim().ToLowerInvariant()))
            .ToArray();
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

    private bool IsExcludedWord(ReadOnlySpan<byte> word)
    {
        foreach (var excluded in _words)
        {
            // Plurals too: "macs", "serials", "versions".
            var candidate = word.Length == excluded.Length + 1 && (word[^1] | 0x20) == 's' ? word[..^1] : word;
            if (excluded.Length == candidate.Length && System.Text.Ascii.EqualsIgnoreCase(candidate, excluded))
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
