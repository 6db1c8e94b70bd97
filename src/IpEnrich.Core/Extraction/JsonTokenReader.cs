using System.Buffers.Text;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// A forward-only, validating reader of one whole JSON document held in one span, with <see cref="Utf8JsonReader"/>'s
/// token model: RFC 8259 strict (no comments, no trailing commas, one value), errors as <see cref="JsonException"/>
/// with the line and byte. Hand-written rather than <see cref="Utf8JsonReader"/>, whose machinery for partial and
/// segmented input costs on every token of every alert (docs/performance-profile.md); UTF-8 is the caller's check.
/// </summary>
internal ref partial struct JsonTokenReader
{
    private readonly ReadOnlySpan<byte> _json;
    private readonly int _maxDepth;
    private JsonContainerKinds _kinds;
    private int _position;
    private int _depth;
    private bool _inArray;

    /// <param name="maxDepth">Open objects and arrays allowed at once; one more is an error.</param>
    public JsonTokenReader(ReadOnlySpan<byte> json, int maxDepth)
    {
        if (maxDepth > JsonContainerKinds.Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDepth), maxDepth, $"at most {JsonContainerKinds.Capacity}");
        }

        _json = json;
        _maxDepth = maxDepth;
    }

    public JsonTokenType TokenType { get; private set; }

    /// <summary>Where the current token starts (a string's opening quote).</summary>
    public int TokenStartIndex { get; private set; }

    /// <summary>A string's or property name's bytes between the quotes, still escaped; a number's or literal's text.</summary>
    public ReadOnlySpan<byte> ValueSpan { get; private set; }

    public bool ValueIsEscaped { get; private set; }

    /// <summary>
    /// Whether a string's or property name's raw bytes hold an ASCII digit or a colon, as every address written as text
    /// does: noted while its end was searched, so that the extractor can pass over most strings without reading them.
    /// </summary>
    public bool ValueHasDigitOrColon { get; private set; }

    /// <summary>Bytes read so far: up to the end of the current token (a property name's colon included).</summary>
    public readonly int BytesConsumed => _position;

    /// <summary>As <see cref="Utf8JsonReader.CurrentDepth"/>: a container's start and end tokens sit at its holder's depth.</summary>
    public readonly int CurrentDepth =>
        TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray ? _depth - 1 : _depth;

    /// <summary>Reads the next token; false at the end of the document (only whitespace may follow its value).</summary>
    public bool Read()
    {
        var json = _json;
        var i = SkipWhitespace(json, _position);
        if ((uint)i >= (uint)json.Length)
        {
            _position = i;
            return TokenType != JsonTokenType.None && _depth == 0 ? false : throw Error(i, "The JSON ends before its value is complete.");
        }

        var c = json[i];
        switch (TokenType)
        {
            case JsonTokenType.None:
            case JsonTokenType.PropertyName:
                break;
            case JsonTokenType.StartObject:
                return c == '}' ? Close(i, JsonTokenType.EndObject) : ReadPropertyName(json, i, c);
            case JsonTokenType.StartArray:
                if (c == ']')
                {
                    return Close(i, JsonTokenType.EndArray);
                }

                break;
            default:
                if (_depth == 0 || c != ',')
                {
                    return CloseAfterValue(i, c);
                }

                i = SkipWhitespace(json, i + 1);
                c = (uint)i < (uint)json.Length ? json[i] : throw Error(i, "The JSON ends before its value is complete.");
                if (!_inArray)
                {
                    return ReadPropertyName(json, i, c);
                }

                break;
        }

        // Strings are most values: read here rather than through the general case.
        TokenStartIndex = i;
        if (c == '"')
        {
            ReadString(json, i);
            TokenType = JsonTokenType.String;
            return true;
        }

        ReadOtherValue(json, i, c);
        return true;
    }

    /// <summary>
    /// As <see cref="Utf8JsonReader.Skip"/>: from a property name, reads its value; from a container's start, reads to
    /// its end. The reader is left on the value's last token.
    /// </summary>
    public void Skip()
    {
        if (TokenType == JsonTokenType.PropertyName)
        {
            Read();
        }

        if (TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
        {
            var holder = _depth - 1;
            while (_depth > holder)
            {
                Read();
            }
        }
    }

    /// <summary>The current number as a finite double, as <see cref="Utf8JsonReader.TryGetDouble"/> reads it.</summary>
    public readonly bool TryGetDouble(out double value) =>
        Utf8Parser.TryParse(ValueSpan, out value, out var consumed) && consumed == ValueSpan.Length && double.IsFinite(value);

    /// <returns>True when <paramref name="c"/> closes the container that holds the value just read.</returns>
    private bool CloseAfterValue(int i, byte c)
    {
        if (_depth == 0)
        {
            throw Error(i, $"{Describe(c)} is invalid after a single JSON value. Expected end of data.");
        }

        return c == (_inArray ? ']' : '}')
            ? Close(i, _inArray ? JsonTokenType.EndArray : JsonTokenType.EndObject)
            : throw Error(i, $"{Describe(c)} is invalid after a value. Expected either ',', '}}', or ']'.");
    }

    private void Open(int i, bool isArray)
    {
        if (_depth >= _maxDepth)
        {
            throw Error(i, $"The maximum configured depth of {_maxDepth} has been exceeded.");
        }

        _kinds.Set(_depth, isArray);
        _depth++;
        _inArray = isArray;
        _position = i + 1;
        ValueSpan = _json.Slice(i, 1);
        ValueIsEscaped = false;
        TokenType = isArray ? JsonTokenType.StartArray : JsonTokenType.StartObject;
    }

    private bool Close(int i, JsonTokenType type)
    {
        TokenStartIndex = i;
        _depth--;
        _inArray = _depth > 0 && _kinds.Get(_depth - 1);
        _position = i + 1;
        ValueSpan = _json.Slice(i, 1);
        ValueIsEscaped = false;
        TokenType = type;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> json, int i) =>
        (uint)i < (uint)json.Length && json[i] <= ' ' ? JsonScan.PastWhitespace(json, i) : i;

    private readonly JsonException Error(int at, string message) => Error(_json, at, message);

    private static JsonException Error(ReadOnlySpan<byte> json, int at, string message)
    {
        var before = json[..Math.Min(at, json.Length)];
        var lineStart = before.LastIndexOf((byte)'\n') + 1;
        return new JsonException(message, path: null, lineNumber: before.Count((byte)'\n'), bytePositionInLine: before.Length - lineStart);
    }

    private static string Describe(byte c) => c is >= 0x20 and < 0x7F ? $"'{(char)c}'" : $"'0x{c:X2}'";
}
