using System.Text.Json;
using IpEnrich.Core.Alerts;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Validates an alert and finds its IPs in one pass of <see cref="JsonTokenReader"/> over the raw UTF-8 bytes:
/// known JSON paths plus (by default) every string value, JSON documents embedded in strings included.
/// Thread-safe; per-alert state lives in the caller's <see cref="AlertExtraction"/>.
/// </summary>
public sealed partial class AlertExtractor
{
    private const int MaxEmbeddedLevel = 2;

    private readonly ExtractionOptions _options;
    private readonly IpInternTable _interner;
    private readonly IpFilterPolicy _policy;
    private readonly FieldNameRules _nameRules;
    private readonly byte[] _enrichmentProperty;
    private readonly KnownPathMatcher _knownPaths;
    private readonly SeverityReader _severity;

    public AlertExtractor(ExtractionOptions options, IpInternTable? interner = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.MaxDepth is < 2 or >= JsonContainerKinds.Capacity)
        {
            // The options' own validation says the same on start; this guards a caller that skips it.
            throw new ArgumentOutOfRangeException(nameof(options), options.MaxDepth,
                $"Extraction:MaxDepth must be 2 to {JsonContainerKinds.Capacity - 1}");
        }

        _options = options;
        _interner = interner ?? IpInternTable.Shared;
        _policy = new IpFilterPolicy(options);
        _nameRules = new FieldNameRules(options.ExcludedFieldWords.Count > 0 ? [.. options.ExcludedFieldWords] : FieldNameRules.DefaultExcludedWords);
        _enrichmentProperty = System.Text.Encoding.UTF8.GetBytes(options.EnrichmentProperty);
        _knownPaths = new KnownPathMatcher(options.KnownPaths.Count > 0 ? [.. options.KnownPaths] : ExtractionOptions.DefaultKnownPaths);
        _severity = new SeverityReader(options.SeverityPaths.Count > 0 ? [.. options.SeverityPaths] : SeverityRule.Defaults);
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
        if (!AlertPrecheck.TryAccept(alert, _options.MaxAlertBytes, out var offset, out rejection))
        {
            return false;
        }

        try
        {
            if (!Walk(alert[offset..], offset, prefix: null, level: 0, _options.MaxDepth, result, out rejection))
            {
                return false;
            }
        }
        catch (JsonException ex)
        {
            rejection = AlertPrecheck.NotJson(ex);
            return false;
        }

        result.ApplyPolicy(_policy, _options.MaxIpsPerAlert);
        return true;
    }

    private bool Walk(ReadOnlySpan<byte> json, int baseOffset, (int Start, int Length)? prefix, int level, int depthBudget,
        AlertExtraction result, out AlertRejection rejection)
    {
        var reader = new JsonTokenReader(json, maxDepth: depthBudget + 1);

        if (!AlertPrecheck.TryReadRoot(ref reader, isAlert: level == 0, out rejection))
        {
            return false;
        }

        var frameStacks = result.WalkState.FrameStacks;
        var frames = frameStacks[level];
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
                            rejection = AlertPrecheck.TooDeep(_options.MaxDepth);
                        }

                        return false;
                    }

                    if (depth > 0)
                    {
                        JsonFrame.CountElement(frames, depth);
                    }

                    if (depth == frames.Length)
                    {
                        Array.Resize(ref frames, frames.Length * 2);
                        frameStacks[level] = frames;
                    }

                    JsonFrame.Open(frames, depth, isArray: reader.TokenType == JsonTokenType.StartArray);
                    depth++;
                    break;

                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    depth--;
                    if (level == 0)
                    {
                        if (reader.CurrentDepth == 1)
                        {
                            result.Layout.EndMember(baseOffset + reader.BytesConsumed);
                        }
                        else if (reader.CurrentDepth == 0)
                        {
                            result.Layout.CloseBraceOffset = baseOffset + reader.TokenStartIndex;
                        }
                    }

                    break;

                case JsonTokenType.PropertyName:
                    if (!OnPropertyName(ref reader, baseOffset, level, frames, depth, result))
                    {
                        // The enrichment property of an earlier pass: skipped, never scanned.
                        reader.Skip();
                        result.Layout.EndMember(baseOffset + reader.BytesConsumed);
                    }

                    break;

                case JsonTokenType.String:
                case JsonTokenType.Number:
                    JsonFrame.CountElement(frames, depth);
                    if (frames[depth - 1].MayHoldSeverity)
                    {
                        _severity.Read(ref reader, json, frames, depth, result);
                    }

                    if (reader.TokenType == JsonTokenType.String && reader.ValueHasDigitOrColon)
                    {
                        OnString(ref reader, json, prefix, level, frames, depth, result);
                    }

                    EndScalar(ref reader, baseOffset, level, result);
                    break;

                default:
                    JsonFrame.CountElement(frames, depth);
                    EndScalar(ref reader, baseOffset, level, result);
                    break;
            }
        }
        while (reader.Read());

        return true;
    }

    private static void EndScalar(ref JsonTokenReader reader, int baseOffset, int level, AlertExtraction result)
    {
        if (level == 0 && reader.CurrentDepth == 1)
        {
            result.Layout.EndMember(baseOffset + reader.BytesConsumed);
        }
    }

    /// <returns>False when the property is the enrichment property at the top level (the caller skips its value).</returns>
    private bool OnPropertyName(ref JsonTokenReader reader, int baseOffset, int level,
        JsonFrame[] frames, int depth, AlertExtraction result)
    {
        ref var top = ref frames[depth - 1];
        ReadOnlySpan<byte> name;
        if (reader.ValueIsEscaped)
        {
            var state = result.WalkState;
            var unescaped = state.Unescape(ref reader);
            top.NameStart = state.AppendName(unescaped);
            top.NameLength = unescaped.Length;
            top.NameInArena = true;
            name = state.NameArena.AsSpan(top.NameStart, top.NameLength);
        }
        else
        {
            name = reader.ValueSpan;
            top.NameStart = reader.TokenStartIndex + 1;
            top.NameLength = name.Length;
            top.NameInArena = false;
        }

        top.Verdict = NameVerdict.Unknown;
        top.NameHash = 0;
        top.MayHoldSeverity = level == 0 && result.DeclaredPriority is null && _severity.IsLeaf(name, ref top);

        if (level == 0 && reader.CurrentDepth == 1)
        {
            var isEnrichment = name.SequenceEqual(_enrichmentProperty);
            result.Layout.AddMember(baseOffset + reader.TokenStartIndex, isEnrichment);
            return !isEnrichment;
        }

        return true;
    }
}
