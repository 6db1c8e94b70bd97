using System.Globalization;
using System.Text;

namespace IpEnrich.Emulator.Hunting;

public enum KqlTokenKind
{
    Identifier,
    StringLiteral,
    Number,
    Timespan,
    Symbol,
    End,
}

/// <summary>One token with its 1-based position, for KQL-style error messages.</summary>
public sealed record KqlToken(KqlTokenKind Kind, string Text, int Line, int Column, object? Value = null)
{
    public bool Is(KqlTokenKind kind, string text) => Kind == kind && string.Equals(Text, text, StringComparison.Ordinal);
}

/// <summary>A query the emulator cannot parse or resolve: answered 400 with this message.</summary>
public sealed class KqlException(string message) : Exception(message)
{
    public static KqlException At(KqlToken token) =>
        new($"Query could not be parsed at '{(token.Kind == KqlTokenKind.End ? "<end of query>" : token.Text)}' on line [{token.Line},{token.Column}]");
}

/// <summary>
/// Splits KQL text into identifiers (<c>in~</c> is one), double- or single-quoted strings with backslash escapes,
/// integers, timespan literals (<c>720h</c>, <c>30d</c>, <c>15m</c>, <c>10s</c>), symbols and <c>//</c> comments.
/// </summary>
public static class KqlTokenizer
{
    private static readonly string[] Symbols = [">=", "<=", "==", "!=", "|", "(", ")", ",", "=", ">", "<"];

    public static IReadOnlyList<KqlToken> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<KqlToken>();
        int i = 0, line = 1, lineStart = 0;
        while (true)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text.AsSpan(i).StartsWith("//")))
            {
                if (text[i] == '/')
                {
                    while (i < text.Length && text[i] != '\n')
                    {
                        i++;
                    }

                    continue;
                }

                if (text[i++] == '\n')
                {
                    (line, lineStart) = (line + 1, i);
                }
            }

            var column = i - lineStart + 1;
            if (i >= text.Length)
            {
                tokens.Add(new KqlToken(KqlTokenKind.End, string.Empty, line, column));
                return tokens;
            }

            var start = i;
            var c = text[i];
            if (char.IsAsciiLetter(c) || c == '_')
            {
                while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] == '_'))
                {
                    i++;
                }

                if (i < text.Length && text[i] == '~' && text.AsSpan(start, i - start) is "in")
                {
                    i++;
                }

                tokens.Add(new KqlToken(KqlTokenKind.Identifier, text[start..i], line, column));
            }
            else if (char.IsAsciiDigit(c))
            {
                tokens.Add(Number(text, ref i, line, column));
            }
            else if (c is '"' or '\'')
            {
                tokens.Add(new KqlToken(KqlTokenKind.StringLiteral, text[start..SkipString(text, ref i, line, column, out var value)], line, column, value));
            }
            else if (Symbols.FirstOrDefault(s => text.AsSpan(i).StartsWith(s, StringComparison.Ordinal)) is { } symbol)
            {
                i += symbol.Length;
                tokens.Add(new KqlToken(KqlTokenKind.Symbol, symbol, line, column));
            }
            else
            {
                throw KqlException.At(new KqlToken(KqlTokenKind.Symbol, c.ToString(), line, column));
            }
        }
    }

    private static KqlToken Number(string text, ref int i, int line, int column)
    {
        var start = i;
        while (i < text.Length && char.IsAsciiDigit(text[i]))
        {
            i++;
        }

        var digits = text[start..i];
        var unitStart = i;
        while (i < text.Length && char.IsAsciiLetter(text[i]))
        {
            i++;
        }

        var unit = text[unitStart..i];
        var whole = text[start..i];
        if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
        {
            throw KqlException.At(new KqlToken(KqlTokenKind.Number, whole, line, column));
        }

        if (unit.Length == 0)
        {
            return new KqlToken(KqlTokenKind.Number, whole, line, column, number);
        }

        TimeSpan? span = unit switch
        {
            "d" => TimeSpan.FromDays(number),
            "h" => TimeSpan.FromHours(number),
            "m" => TimeSpan.FromMinutes(number),
            "s" => TimeSpan.FromSeconds(number),
            _ => null,
        };
        return span is { } value
            ? new KqlToken(KqlTokenKind.Timespan, whole, line, column, value)
            : throw KqlException.At(new KqlToken(KqlTokenKind.Timespan, whole, line, column));
    }

    /// <returns>The index just past the closing quote.</returns>
    private static int SkipString(string text, ref int i, int line, int column, out string value)
    {
        var quote = text[i++];
        var builder = new StringBuilder();
        while (i < text.Length && text[i] != quote && text[i] != '\n')
        {
            var c = text[i++];
            if (c == '\\' && i < text.Length)
            {
                c = text[i++] switch
                {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    var escaped => escaped, // \" \' \\ and any other character stand for themselves
                };
            }

            builder.Append(c);
        }

        if (i >= text.Length || text[i] != quote)
        {
            throw KqlException.At(new KqlToken(KqlTokenKind.StringLiteral, quote.ToString(), line, column));
        }

        value = builder.ToString();
        return ++i;
    }
}
