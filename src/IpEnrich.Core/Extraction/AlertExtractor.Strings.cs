using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace IpEnrich.Core.Extraction;

// What the walk does with a string value that may hold an address: judge its name or path, walk it as an embedded
// document, or scan its text and list what it finds.
public sealed partial class AlertExtractor
{
    /// <summary>Scans a string that holds a digit or colon; kept out of the walk's loop, which most strings pass by.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private void OnString(ref JsonTokenReader reader, ReadOnlySpan<byte> json, (int Start, int Length)? prefix, int level,
        JsonFrame[] frames, int depth, AlertExtraction result)
    {
        if (!IpTextScanner.MayHoldAddress(reader.ValueSpan, hasDigitOrColon: true))
        {
            return;
        }

        // The field name is judged only for strings that hold an address or a document: most hold neither.
        var state = result.WalkState;
        bool? known = null;
        if (!_options.ScanAllStrings && !MayScan(json, frames, depth, state, ref known))
        {
            return; // only known paths are scanned: their path is judged before the text
        }

        var value = reader.ValueIsEscaped ? state.Unescape(ref reader) : reader.ValueSpan;
        if (_options.ScanEmbeddedJson && level < MaxEmbeddedLevel && LooksLikeJsonDocument(value)
            && state.EmbeddedDocumentBudget > 0)
        {
            if (!MayScan(json, frames, depth, state, ref known))
            {
                return;
            }

            state.EmbeddedDocumentBudget--;
            if (TryWalkEmbedded(value, json, prefix, level, frames, depth, reader.CurrentDepth, result))
            {
                return;
            }
        }

        var found = state.ScanBuffer;
        found.Clear();
        if (IpTextScanner.Scan(state.PercentDecode(value), found) == 0 || !MayScan(json, frames, depth, state, ref known))
        {
            return;
        }

        var atKnownPath = IsKnownPath(json, frames, depth, state, ref known);
        var (pathStart, pathLength) = JsonPathWriter.Write(json, prefix, frames, depth, result, suffix: default);
        foreach (var ip in found)
        {
            result.AddOccurrence(ip, pathStart, pathLength, _options.MaxListedIps, _options.MaxPathsPerIp, _interner, atKnownPath);
        }
    }

    /// <summary>Whether the string under the reader may be scanned: by the options and its name, or at a known path.</summary>
    private bool MayScan(ReadOnlySpan<byte> json, JsonFrame[] frames, int depth, WalkState state, ref bool? known)
    {
        if (_options.ScanAllStrings && !_nameRules.ExcludesTop(json, frames, depth, state))
        {
            return true;
        }

        return IsKnownPath(json, frames, depth, state, ref known);
    }

    /// <summary>Whether the string under the reader sits at a known path, judged once per string into <paramref name="known"/>.</summary>
    private bool IsKnownPath(ReadOnlySpan<byte> json, JsonFrame[] frames, int depth, WalkState state, ref bool? known)
    {
        known ??= _knownPaths.HasPaths && _knownPaths.Matches(json, frames, depth, state);
        return known.Value;
    }

    private bool TryWalkEmbedded(ReadOnlySpan<byte> value, ReadOnlySpan<byte> json, (int Start, int Length)? prefix, int level,
        JsonFrame[] frames, int depth, int currentDepth, AlertExtraction result)
    {
        // The unescape buffer is reused by the nested walk, so the embedded document gets its own copy.
        var copy = ArrayPool<byte>.Shared.Rent(value.Length);
        try
        {
            value.CopyTo(copy);
            var nestedPrefix = JsonPathWriter.Write(json, prefix, frames, depth, result, suffix: "<json>"u8);
            var budget = _options.MaxDepth - currentDepth;
            return budget > 1
                && Walk(copy.AsSpan(0, value.Length), 0, nestedPrefix, level + 1, budget, result, out _);
        }
        catch (JsonException)
        {
            return false; // not JSON after all: scanned as text
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(copy);
        }
    }

    private static bool LooksLikeJsonDocument(ReadOnlySpan<byte> value)
    {
        var trimmed = value.Trim(" \t\r\n"u8);
        return trimmed.Length >= 2
            && ((trimmed[0] == '{' && trimmed[^1] == '}') || (trimmed[0] == '[' && trimmed[^1] == ']'));
    }
}
