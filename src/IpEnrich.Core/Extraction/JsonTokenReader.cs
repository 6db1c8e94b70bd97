using System.Buffers.Text;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// A forward-only, validating reader of one whole JSON document held in one span, with <see cref="Utf8JsonReader"/>'s
/// token model: RFC 8259 strict (no comments, no trailing commas, one value), errors as <see cref="JsonException"/>
/// with the line and byte. Hand-written because the general reader's per-token cost (segmented and partial input,
/// options, its state machine) was about half of extraction on the benchmark mix; UTF-8 is the caller's check.
/// </summary>
internal ref struct JsonTokenReader
{
    private readonly ReadOnlySpan<byte> _json;
    private readonly int _maxDepth;
    private ContainerKinds _kinds;
    private int _position;
    private int _depth;
    private bool _inArray;

    /// <param name="maxDepth">Open objects and arrays allowed at once; one more is an error.</param>
    public JsonTokenReader(ReadOnlySpan<byte> json, int maxDepth)
    {
        if (maxDepth > ContainerKinds.Capacity)
        {
            throw new ArgumentOutOfRangeException(nameof(maxDepth), maxDepth, $"at most {ContainerKinds.Capacity}");
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

    private void ReadOtherValue(ReadOnlySpan<byte> json, int i, byte c)
    {
        switch (c)
        {
            case (byte)'{':
                Open(i, isArray: false);
                return;
            case (byte)'[':
                Open(i, isArray: true);
                return;
            case (byte)'t':
                ReadLiteral(json, i, "true"u8, JsonTokenType.True);
                return;
            case (byte)'f':
                ReadLiteral(json, i, "false"u8, JsonTokenType.False);
                return;
            case (byte)'n':
                ReadLiteral(json, i, "null"u8, JsonTokenType.Null);
                return;
            case (byte)'"':
                throw new UnreachableException("strings are read by Read");
            default:
                if (c == '-' || char.IsAsciiDigit((char)c))
                {
                    ReadNumber(json, i);
                    return;
                }

                throw Error(i, $"{Describe(c)} is an invalid start of a value.");
        }
    }

    private bool ReadPropertyName(ReadOnlySpan<byte> json, int i, byte c)
    {
        if (c != '"')
        {
            throw Error(i, $"{Describe(c)} is an invalid start of a property name. Expected a '\"'.");
        }

        TokenStartIndex = i;
        ReadString(json, i);
        var colon = SkipWhitespace(json, _position);
        if ((uint)colon >= (uint)json.Length || json[colon] != ':')
        {
            throw Error(colon, "A property name is not followed by ':'.");
        }

        _position = colon + 1;
        TokenType = JsonTokenType.PropertyName;
        return true;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void ReadString(ReadOnlySpan<byte> json, int quote)
    {
        var start = quote + 1;
        var end = start;
        var escaped = false;
        var digitOrColon = false;
        while (true)
        {
            end = JsonScan.StringStop(json, end, ref digitOrColon);
            if (end >= json.Length)
            {
                throw Error(json.Length, "The JSON ends inside a string.");
            }

            var c = json[end];
            if (c == '"')
            {
                break;
            }

            if (c != '\\')
            {
                throw Error(end, $"{Describe(c)} is invalid within a JSON string. The string should be correctly escaped.");
            }

            var escapeEnd = ReadEscape(json, end);
            digitOrColon |= json[end..escapeEnd].ContainsAnyInRange((byte)'0', (byte)':'); // the hex digits of \uXXXX
            end = escapeEnd;
            escaped = true;
        }

        ValueSpan = json[start..end];
        ValueIsEscaped = escaped;
        ValueHasDigitOrColon = digitOrColon;
        _position = end + 1;
    }

    /// <returns>The index just past the escape sequence starting at <paramref name="backslash"/>.</returns>
    private static int ReadEscape(ReadOnlySpan<byte> json, int backslash)
    {
        var kind = backslash + 1 < json.Length ? json[backslash + 1] : (byte)0;
        switch (kind)
        {
            case (byte)'"' or (byte)'\\' or (byte)'/' or (byte)'b' or (byte)'f' or (byte)'n' or (byte)'r' or (byte)'t':
                return backslash + 2;
            case (byte)'u':
                for (var h = backslash + 2; h < backslash + 6; h++)
                {
                    if (h >= json.Length || !char.IsAsciiHexDigit((char)json[h]))
                    {
                        throw Error(json, h, "'\\u' is not followed by four hexadecimal digits.");
                    }
                }

                return backslash + 6;
            default:
                throw Error(json, backslash + 1, $"{Describe(kind)} is not a valid escape after '\\' in a JSON string.");
        }
    }

    private void ReadNumber(ReadOnlySpan<byte> json, int start)
    {
        var i = start;
        if (json[i] == '-')
        {
            i++;
        }

        if (i < json.Length && json[i] == '0')
        {
            i++;
        }
        else
        {
            i = Digits(json, i, "an integer part");
        }

        if (i < json.Length && json[i] == '.')
        {
            i = Digits(json, i + 1, "a fraction");
        }

        if (i < json.Length && (json[i] | 0x20) == 'e')
        {
            i++;
            if (i < json.Length && json[i] is (byte)'+' or (byte)'-')
            {
                i++;
            }

            i = Digits(json, i, "an exponent");
        }

        if (i < json.Length && json[i] is not ((byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r' or (byte)',' or (byte)']' or (byte)'}'))
        {
            throw Error(i, $"{Describe(json[i])} is invalid within a number. Expected a delimiter.");
        }

        ValueSpan = json[start..i];
        ValueIsEscaped = false;
        TokenType = JsonTokenType.Number;
        _position = i;
    }

    /// <returns>The index past one or more digits starting at <paramref name="i"/>.</returns>
    private readonly int Digits(ReadOnlySpan<byte> json, int i, string part)
    {
        var end = i;
        while (end < json.Length && char.IsAsciiDigit((char)json[end]))
        {
            end++;
        }

        return end > i ? end : throw Error(end, $"A number lacks the digits of {part}.");
    }

    private void ReadLiteral(ReadOnlySpan<byte> json, int i, ReadOnlySpan<byte> literal, JsonTokenType type)
    {
        if (!json[i..].StartsWith(literal))
        {
            throw Error(i, $"The literal at this position is not '{System.Text.Encoding.ASCII.GetString(literal)}'.");
        }

        _position = i + literal.Length;
        ValueSpan = json.Slice(i, literal.Length);
        ValueIsEscaped = false;
        TokenType = type;
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
        ValueSpan = default;
        ValueIsEscaped = false;
        TokenType = isArray ? JsonTokenType.StartArray : JsonTokenType.StartObject;
    }

    private bool Close(int i, JsonTokenType type)
    {
        TokenStartIndex = i;
        _depth--;
        _inArray = _depth > 0 && _kinds.Get(_depth - 1);
        _position = i + 1;
        ValueSpan = default;
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

    /// <summary>One bit per open container, set for an array: enough for <see cref="Capacity"/> levels.</summary>
    [InlineArray(17)]
    private struct ContainerKinds
    {
        public const int Capacity = 17 * 64;

        private ulong _word;

        public void Set(int depth, bool isArray)
        {
            var bit = 1UL << (depth & 63);
            ref var word = ref this[depth >> 6];
            word = isArray ? word | bit : word & ~bit;
        }

        public readonly bool Get(int depth) => (this[depth >> 6] & (1UL << (depth & 63))) != 0;
    }
}
