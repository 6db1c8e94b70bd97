using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using IpEnrich.Core.Alerts;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Validates an alert and finds its IPs in one pass of <see cref="Utf8JsonReader"/> over the raw UTF-8 bytes:
/// known JSON paths plus (by default) every string value, JSON documents embedded in strings included.
/// Thread-safe; per-alert state lives in the caller's <see cref="AlertExtraction"/>.
/// </summary>
public sealed class AlertExtractor
{
    private const int MaxEmbeddedLevel = 2;
    private static readonly SearchValues<byte> ScanTriggers = SearchValues.Create("0123456789:"u8);
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    private readonly ExtractionOptions _options;
    private readonly IpInternTable _interner;
    private readonly IpFilterPolicy _policy;
    private readonly FieldNameRules _nameRules;
    private readonly byte[] _enrichmentProperty;
    private readonly Dictionary<int, JsonPathPattern[]> _knownByLeaf;
    private readonly JsonPathPattern[] _knownWildcard;
    private readonly bool _hasKnownPaths;
    private readonly Dictionary<int, SeverityRule[]> _severityByLeaf;

    public AlertExtractor(ExtractionOptions options, IpInternTable? interner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _interner = interner ?? IpInternTable.Shared;
        _policy = new IpFilterPolicy(options);
        _nameRules = new FieldNameRules(options.ExcludedFieldWords.Count > 0 ? [.. options.ExcludedFieldWords] : FieldNameRules.DefaultExcludedWords);
        _enrichmentProperty = System.Text.Encoding.UTF8.GetBytes(options.EnrichmentProperty);

        IReadOnlyList<string> paths = options.KnownPaths.Count > 0 ? [.. options.KnownPaths] : ExtractionOptions.DefaultKnownPaths;
        var patterns = new List<JsonPathPattern>();
        foreach (var text in paths)
        {
            if (!JsonPathPattern.TryParse(text, out var pattern, out var error))
            {
                throw new ArgumentException($"Extraction:KnownPaths: {error}");
            }

            patterns.Add(pattern);
        }

        IReadOnlyList<string> severity = options.SeverityPaths.Count > 0 ? [.. options.SeverityPaths] : SeverityRule.Defaults;
        _severityByLeaf = severity.Select(SeverityRule.Parse)
            .GroupBy(r => HashName(r.Path.LeafName))
            .ToDictionary(g => g.Key, g => g.ToArray());

        _hasKnownPaths = patterns.Count > 0;
        _knownWildcard = [.. patterns.Where(p => p.LeafName is null)];
        _knownByLeaf = patterns.Where(p => p.LeafName is not null)
            .GroupBy(p => HashName(p.LeafName))
            .ToDictionary(g => g.Key, g => g.ToArray());
    }

    public ExtractionOptions Options => _options;

    /// <summary>
    /// Validates <paramref name="alert"/> and fills <paramref name="result"/>. Bad input is a value, not an exception:
    /// false with a one-line <paramref name="rejection"/> for empty, oversized, non-UTF-8, non-JSON, non-object or
    /// too-deep messages.
    /// </summary>
    public bool TryExtract(ReadOnlySpan<byte> alert, AlertExtraction result, out AlertRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(result);
        result.Reset();
        rejection = default;

        if (alert.IsEmpty || alert.Trim(" \t\r\n"u8).IsEmpty)
        {
            rejection = AlertRejection.Create(RejectionKind.Empty, "empty message");
            return false;
        }

        if (alert.Length > _options.MaxAlertBytes)
        {
            rejection = AlertRejection.Create(RejectionKind.TooLarge,
                $"message of {alert.Length} bytes exceeds Extraction:MaxAlertBytes ({_options.MaxAlertBytes})");
            return false;
        }

        if (!Utf8.IsValid(alert))
        {
            var valid = FirstInvalidUtf8(alert);
            rejection = AlertRejection.Create(RejectionKind.InvalidUtf8, $"invalid UTF-8 at byte {valid}");
            return false;
        }

        var offset = alert.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        try
        {
            if (!Walk(alert[offset..], offset, prefix: null, level: 0, _options.MaxDepth, result, out rejection))
            {
                return false;
            }
        }
        catch (JsonException ex)
        {
            var where = ex.BytePositionInLine is { } pos ? $" (line {ex.LineNumber + 1}, byte {pos + 1})" : string.Empty;
            rejection = AlertRejection.Create(RejectionKind.NotJson, $"not valid JSON: {FirstSentence(ex.Message)}{where}");
            return false;
        }

        result.ApplyPolicy(_policy, _options.MaxIpsPerAlert);
        return true;
    }

    private bool Walk(ReadOnlySpan<byte> json, int baseOffset, string? prefix, int level, int depthBudget,
        AlertExtraction result, out AlertRejection rejection)
    {
        rejection = default;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions
        {
            MaxDepth = depthBudget + 1,
            CommentHandling = JsonCommentHandling.Disallow,
        });

        if (!reader.Read())
        {
            rejection = AlertRejection.Create(RejectionKind.NotJson, "not valid JSON: no value");
            return false;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            if (level == 0)
            {
                rejection = AlertRejection.Create(RejectionKind.NotAnObject,
                    $"top-level JSON value is {Describe(reader.TokenType)}; an alert must be a JSON object");
                return false;
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                return false;
            }
        }

        var frames = result.FrameStacks[level];
        var depth = 0;
        do
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    if (reader.CurrentDepth + 1 > depthBudget)
                    {
                        if (level == 0)
                        {
                            rejection = AlertRejection.Create(RejectionKind.TooDeep,
                                $"nesting deeper than Extraction:MaxDepth ({_options.MaxDepth})");
                        }

                        return false;
                    }

                    if (depth > 0)
                    {
                        CountElement(frames, depth);
                    }

                    if (depth == frames.Length)
                    {
                        Array.Resize(ref frames, frames.Length * 2);
                        result.FrameStacks[level] = frames;
                    }

                    var isArray = reader.TokenType == JsonTokenType.StartArray;
                    frames[depth] = new AlertExtraction.Frame
                    {
                        IsArray = isArray,
                        Index = -1,
                        NameStart = -1,
                        // An array inherits its holder's name: "host.mac": [..] is as excluded as "host.mac": "..".
                        Excluded = isArray && depth > 0 && frames[depth - 1].Excluded,
                        NameHash = isArray && depth > 0 ? frames[depth - 1].NameHash : 0,
                    };
                    depth++;
                    break;

                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    depth--;
                    if (level == 0)
                    {
                        if (reader.CurrentDepth == 1)
                        {
                            result.EndMember(baseOffset + (int)reader.BytesConsumed);
                        }
                        else if (reader.CurrentDepth == 0)
                        {
                            result.CloseBraceOffset = baseOffset + (int)reader.TokenStartIndex;
                        }
                    }

                    break;

                case JsonTokenType.PropertyName:
                    if (!OnPropertyName(ref reader, json, baseOffset, level, frames, depth, result))
                    {
                        // The enrichment property of an earlier pass: skipped, never scanned.
                        reader.Skip();
                        result.EndMember(baseOffset + (int)reader.BytesConsumed);
                    }

                    break;

                case JsonTokenType.String:
                    CountElement(frames, depth);
                    ReadSeverity(ref reader, json, level, frames, depth, result);
                    OnString(ref reader, json, prefix, level, frames, depth, result);
                    EndScalar(ref reader, baseOffset, level, result);
                    break;

                case JsonTokenType.Number:
                    CountElement(frames, depth);
                    ReadSeverity(ref reader, json, level, frames, depth, result);
                    EndScalar(ref reader, baseOffset, level, result);
                    break;

                default:
                    CountElement(frames, depth);
                    EndScalar(ref reader, baseOffset, level, result);
                    break;
            }
        }
        while (reader.Read());

        return true;
    }

    private static void CountElement(AlertExtraction.Frame[] frames, int depth)
    {
        ref var top = ref frames[depth - 1];
        if (top.IsArray)
        {
            top.Index++;
        }
    }

    private static void EndScalar(ref Utf8JsonReader reader, int baseOffset, int level, AlertExtraction result)
    {
        if (level == 0 && reader.CurrentDepth == 1)
        {
            result.EndMember(baseOffset + (int)reader.BytesConsumed);
        }
    }

    /// <returns>False when the property is the enrichment property at the top level (the caller skips its value).</returns>
    private bool OnPropertyName(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int baseOffset, int level,
        AlertExtraction.Frame[] frames, int depth, AlertExtraction result)
    {
        ref var top = ref frames[depth - 1];
        ReadOnlySpan<byte> name;
        if (reader.ValueIsEscaped)
        {
            var buffer = result.RentUnescape(reader.ValueSpan.Length);
            var written = reader.CopyString(buffer);
            top.NameStart = result.AppendName(buffer[..written]);
            top.NameLength = written;
            top.NameInArena = true;
            name = result.NameArena.AsSpan(top.NameStart, written);
        }
        else
        {
            name = reader.ValueSpan;
            top.NameStart = (int)reader.TokenStartIndex + 1;
            top.NameLength = name.Length;
            top.NameInArena = false;
        }

        top.Excluded = _nameRules.IsExcluded(name);
        top.NameHash = HashName(name);

        if (level == 0 && reader.CurrentDepth == 1)
        {
            var isEnrichment = name.SequenceEqual(_enrichmentProperty);
            result.AddMember(baseOffset + (int)reader.TokenStartIndex, isEnrichment);
            return !isEnrichment;
        }

        return true;
    }

    private void OnString(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, string? prefix, int level,
        AlertExtraction.Frame[] frames, int depth, AlertExtraction result)
    {
        var top = frames[depth - 1];
        var scan = _options.ScanAllStrings && !top.Excluded;
        bool? known = null;
        if (!scan && _hasKnownPaths)
        {
            scan = MatchesKnownPath(json, frames, depth, result);
            known = scan;
        }

        if (!scan || reader.ValueSpan.IndexOfAny(ScanTriggers) < 0)
        {
            return;
        }

        ReadOnlySpan<byte> value;
        if (reader.ValueIsEscaped)
        {
            var buffer = result.RentUnescape(reader.ValueSpan.Length);
            value = buffer[..reader.CopyString(buffer)];
        }
        else
        {
            value = reader.ValueSpan;
        }

        if (_options.ScanEmbeddedJson && level < MaxEmbeddedLevel && LooksLikeJsonDocument(value)
            && result.EmbeddedDocumentBudget > 0)
        {
            result.EmbeddedDocumentBudget--;
            if (TryWalkEmbedded(value, json, prefix, level, frames, depth, reader.CurrentDepth, result))
            {
                return;
            }
        }

        var found = result.ScanBuffer;
        found.Clear();
        if (IpTextScanner.Scan(value, found) == 0)
        {
            return;
        }

        known ??= _hasKnownPaths && MatchesKnownPath(json, frames, depth, result);
        var (pathStart, pathLength) = MaterializePath(json, prefix, frames, depth, result, suffix: null);
        foreach (var ip in found)
        {
            result.AddOccurrence(ip, pathStart, pathLength, _options.MaxListedIps, _options.MaxPathsPerIp, _interner, known.Value);
        }
    }

    /// <summary>The first severity path that matches sets the alert's priority (top-level document only).</summary>
    private void ReadSeverity(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, int level, AlertExtraction.Frame[] frames, int depth, AlertExtraction result)
    {
        if (level != 0 || result.DeclaredPriority is not null || !_severityByLeaf.TryGetValue(frames[depth - 1].NameHash, out var rules))
        {
            return;
        }

        foreach (var rule in rules)
        {
            if (!Matches(rule.Path.Segments, 0, json, frames, 0, depth, result))
            {
                continue;
            }

            result.DeclaredPriority = reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out var number)
                ? rule.Map(default, number)
                : rule.Map(reader.ValueIsEscaped ? System.Text.Encoding.UTF8.GetBytes(reader.GetString() ?? string.Empty) : reader.ValueSpan, null);
            return;
        }
    }

    private bool TryWalkEmbedded(ReadOnlySpan<byte> value, ReadOnlySpan<byte> json, string? prefix, int level,
        AlertExtraction.Frame[] frames, int depth, int currentDepth, AlertExtraction result)
    {
        // The unescape buffer is reused by the nested walk, so the embedded document gets its own copy.
        var copy = ArrayPool<byte>.Shared.Rent(value.Length);
        try
        {
            value.CopyTo(copy);
            var (start, length) = MaterializePath(json, prefix, frames, depth, result, suffix: "<json>");
            var nestedPrefix = result.PathText(start, length).ToString();
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

    private bool MatchesKnownPath(ReadOnlySpan<byte> json, AlertExtraction.Frame[] frames, int depth, AlertExtraction result)
    {
        if (_knownByLeaf.TryGetValue(frames[depth - 1].NameHash, out var candidates))
        {
            foreach (var pattern in candidates)
            {
                if (Matches(pattern.Segments, 0, json, frames, 0, depth, result))
                {
                    return true;
                }
            }
        }

        foreach (var pattern in _knownWildcard)
        {
            if (Matches(pattern.Segments, 0, json, frames, 0, depth, result))
            {
                return true;
            }
        }

        return false;
    }

    private static bool Matches(JsonPathPattern.Segment[] pattern, int pi, ReadOnlySpan<byte> json,
        AlertExtraction.Frame[] frames, int fi, int depth, AlertExtraction result)
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
                    if (Matches(pattern, pi + 1, json, frames, k, depth, result))
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
                _ => !frame.IsArray && NameOf(json, frame, result).SequenceEqual(segment.Name),
            };
            if (!ok)
            {
                return false;
            }

            pi++;
            fi++;
        }
    }

    private static ReadOnlySpan<byte> NameOf(ReadOnlySpan<byte> json, in AlertExtraction.Frame frame, AlertExtraction result) =>
        frame.NameInArena
            ? result.NameArena.AsSpan(frame.NameStart, frame.NameLength)
            : json.Slice(frame.NameStart, frame.NameLength);

    private static (int Start, int Length) MaterializePath(ReadOnlySpan<byte> json, string? prefix,
        AlertExtraction.Frame[] frames, int depth, AlertExtraction result, string? suffix)
    {
        // Worst case per segment: ['name'] with every char escaped, or [index].
        var capacity = (prefix?.Length ?? 1) + (suffix?.Length ?? 0);
        for (var i = 0; i < depth; i++)
        {
            capacity += frames[i].IsArray ? 13 : (2 * frames[i].NameLength) + 4;
        }

        var span = result.ReservePathChars(capacity);
        var w = 0;
        if (prefix is null)
        {
            span[w++] = '$';
        }
        else
        {
            prefix.AsSpan().CopyTo(span);
            w += prefix.Length;
        }

        for (var i = 0; i < depth; i++)
        {
            var frame = frames[i];
            if (frame.IsArray)
            {
                span[w++] = '[';
                frame.Index.TryFormat(span[w..], out var n, provider: System.Globalization.CultureInfo.InvariantCulture);
                w += n;
                span[w++] = ']';
            }
            else
            {
                w += WriteName(NameOf(json, frame, result), span[w..]);
            }
        }

        if (suffix is not null)
        {
            suffix.AsSpan().CopyTo(span[w..]);
            w += suffix.Length;
        }

        return (result.CommitPath(w), w);
    }

    private static int WriteName(ReadOnlySpan<byte> name, Span<char> destination)
    {
        if (IsSimpleName(name))
        {
            destination[0] = '.';
            return 1 + System.Text.Encoding.UTF8.GetChars(name, destination[1..]);
        }

        // Bracket notation for names with dots, spaces, brackets or quotes: $['id.orig_h'].
        var w = 0;
        destination[w++] = '[';
        destination[w++] = '\'';
        Span<char> chars = name.Length <= 256 ? stackalloc char[name.Length] : new char[name.Length];
        var count = System.Text.Encoding.UTF8.GetChars(name, chars);
        foreach (var c in chars[..count])
        {
            if (c is '\'' or '\\')
            {
                destination[w++] = '\\';
            }

            destination[w++] = c;
        }

        destination[w++] = '\'';
        destination[w++] = ']';
        return w;
    }

    private static bool IsSimpleName(ReadOnlySpan<byte> name)
    {
        if (name.IsEmpty || (uint)(name[0] - '0') <= 9)
        {
            return false;
        }

        foreach (var c in name)
        {
            var ok = (uint)((c | 0x20) - 'a') <= 25 || (uint)(c - '0') <= 9 || c is (byte)'_' or (byte)'$' or (byte)'@' or (byte)'-';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    private static int HashName(ReadOnlySpan<byte> name)
    {
        var hash = new HashCode();
        hash.AddBytes(name);
        return hash.ToHashCode();
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> data)
    {
        var status = Utf8.ToUtf16(data, new char[data.Length], out var read, out _, replaceInvalidSequences: false);
        return status == OperationStatus.Done ? data.Length : read;
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
