using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text.Json;

namespace IpEnrich.Core.Extraction;

/// <summary>The value readers: a string (with its escapes), a property name, a number, a literal.</summary>
internal ref partial struct JsonTokenReader
{
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
}
