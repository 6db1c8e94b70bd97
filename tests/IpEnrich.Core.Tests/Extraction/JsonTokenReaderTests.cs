using System.Text;
using System.Text.Json;
using System.Text.Unicode;
using IpEnrich.Core.Extraction;
using IpEnrich.Testing;

namespace IpEnrich.Core.Tests.Extraction;

/// <summary>
/// The extractor's reader against <see cref="Utf8JsonReader"/>, the reference: the same tokens with the same positions
/// for valid JSON, an error for the same invalid JSON, over the corpus, hand-picked edge cases and mutated alerts.
/// </summary>
public class JsonTokenReaderTests
{
    private const int MaxDepth = 64;

    public static TheoryData<string> EdgeCases() =>
    [
        "{}", "[]", " { } ", "\t\r\n[\n1 ,2\t]\r\n", """{"a":{"b":[{"c":[]},{}]}}""", "\"text\"", "0", "-0", "12", "true",
        "false", "null", """{"n":-0.5e+10,"m":1E-3,"o":0.0,"p":123456789012345678901234567890}""",
        """{"e":"\"\\\/\b\f\n\r\t\u00e9\uD83D\uDE00\ud800"}""", """{"k\u0065y":"v","":""}""", """["é, 中文, 😀"]""",
        "", " ", "{", "}", "[", "]", "{]", "[}", """{"a"}""", """{"a":}""", """{"a" 1}""", """{"a":1,}""", "[1,]", "[,1]",
        "{,}", """{"a":1 "b":2}""", "[1 2]", "[01]", "[1.]", "[.5]", "[1e]", "[1e+]", "[-]", "[--1]", "[+1]", "[1a]",
        "[0x10]", "[NaN]", "[Infinity]", "[tru]", "[truex]", "[nul]", "[True]", "[\"a\x01\"]", "[\"a\nb\"]",
        """["\x"]""", """["\u12G4"]""", """["\u12"]""", "[\"abc", "[\"abc\\", "{\"a\":1}{}", "{} x", "1 2", "{\"a\":1 /* c */}",
        "// c\n{}", "[1]]", "[[1]", "'a'", "{a:1}", "[\"a\"\"b\"]", "\u00a0{}",
        new string('[', 64) + new string(']', 64), new string('[', 65) + new string(']', 65),
    ];

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Reads_an_edge_case_as_the_reference_does(string json) =>
        AssertSameAsReference(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Reads_every_corpus_alert_as_the_reference_does()
    {
        var alerts = CorpusAlerts();
        Assert.NotEmpty(alerts);
        foreach (var alert in alerts)
        {
            AssertSameAsReference(alert);
        }
    }

    [Fact]
    public void Accepts_and_rejects_mutated_alerts_as_the_reference_does()
    {
        var random = new Random(24);
        var pieces = "{}[],:\"\\ 0123456789-+.eEtfnul\t\nx/"u8.ToArray();
        var compared = 0;
        var rejected = 0;
        foreach (var alert in CorpusAlerts())
        {
            for (var round = 0; round < 40; round++)
            {
                var mutant = Mutate(alert, random, pieces);
                if (!Utf8.IsValid(mutant))
                {
                    continue;
                }

                rejected += AssertSameAsReference(mutant) ? 0 : 1;
                compared++;
            }
        }

        // Both kinds are compared, not one: most single-byte mutations break the document, some keep it valid.
        Assert.InRange(rejected, compared / 4, compared - (compared / 20));
    }

    [Fact]
    public void Reads_generated_documents_and_their_mutants_as_the_reference_does()
    {
        var random = new Random(8259);
        var pieces = "{}[],:\"\\ 0-.eE+tfnu\t"u8.ToArray();
        var rejected = 0;
        const int Documents = 3000;
        for (var n = 0; n < Documents; n++)
        {
            var text = new StringBuilder();
            GenerateValue(text, random, depth: 0);
            var document = Encoding.UTF8.GetBytes(text.ToString());
            AssertSameAsReference(document);
            for (var mutations = random.Next(1, 4); mutations > 0 && document.Length > 0; mutations--)
            {
                document = Mutate(document, random, pieces);
            }

            if (Utf8.IsValid(document))
            {
                rejected += AssertSameAsReference(document) ? 0 : 1;
            }
        }

        Assert.InRange(rejected, Documents / 4, Documents - (Documents / 20));
    }

    [Fact]
    public void Skips_a_property_value_to_its_last_token()
    {
        var reader = new JsonTokenReader("""{"skip":{"a":[1,{"b":2}]},"next":true}"""u8, MaxDepth);
        Assert.True(reader.Read());
        Assert.True(reader.Read());
        Assert.Equal(JsonTokenType.PropertyName, reader.TokenType);
        reader.Skip();
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.Equal(1, reader.CurrentDepth);
        Assert.True(reader.Read());
        Assert.Equal("next", Encoding.UTF8.GetString(reader.ValueSpan));
        reader.Skip();
        Assert.Equal(JsonTokenType.True, reader.TokenType);
    }

    [Theory]
    [InlineData("[1.5e3]", true, 1500d)]
    [InlineData("[-0.25]", true, -0.25)]
    [InlineData("[1e999]", false, 0d)]
    public void Reads_a_number_as_a_finite_double(string json, bool finite, double expected)
    {
        var reader = new JsonTokenReader(Encoding.UTF8.GetBytes(json), MaxDepth);
        reader.Read();
        reader.Read();
        Assert.Equal(finite, reader.TryGetDouble(out var value));
        if (finite)
        {
            Assert.Equal(expected, value);
        }
    }

    [Fact]
    public void Names_the_line_and_byte_of_an_error()
    {
        var ex = Assert.Throws<JsonException>(() => ReadAll("{\n  \"a\": 1,\n  \"b\": x\n}"u8.ToArray(), MaxDepth));
        Assert.Equal(2, ex.LineNumber);
        Assert.Equal(7, ex.BytePositionInLine);
        Assert.StartsWith("'x' is an invalid start of a value", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Rejects_a_depth_beyond_its_maximum()
    {
        var ex = Assert.Throws<JsonException>(() => ReadAll("[[[1]]]"u8.ToArray(), maxDepth: 2));
        Assert.Contains("depth of 2", ex.Message, StringComparison.Ordinal);
        Assert.Equal(5, ReadAll("[[1]]"u8.ToArray(), maxDepth: 2).Count);
    }

    /// <returns>Whether the document was valid.</returns>
    private static bool AssertSameAsReference(byte[] json)
    {
        var expected = ReferenceTokens(json, out var referenceFailed);
        List<string> actual;
        var failed = false;
        try
        {
            actual = ReadAll(json, MaxDepth);
        }
        catch (JsonException)
        {
            actual = [];
            failed = true;
        }

        var shown = Encoding.UTF8.GetString(json.AsSpan(0, Math.Min(json.Length, 200)));
        Assert.True(referenceFailed == failed, $"reference {(referenceFailed ? "rejects" : "accepts")}: {shown}");
        if (!failed)
        {
            Assert.Equal(expected, actual);
        }

        return !failed;
    }

    private static List<string> ReadAll(byte[] json, int maxDepth)
    {
        var tokens = new List<string>();
        var reader = new JsonTokenReader(json, maxDepth);
        while (reader.Read())
        {
            tokens.Add(Describe(reader.TokenType, reader.TokenStartIndex, reader.BytesConsumed, reader.CurrentDepth,
                reader.ValueIsEscaped, reader.ValueSpan));
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName)
            {
                Assert.Equal(reader.ValueSpan.ContainsAnyInRange((byte)'0', (byte)':'), reader.ValueHasDigitOrColon);
            }
        }

        return tokens;
    }

    private static List<string> ReferenceTokens(byte[] json, out bool failed)
    {
        var tokens = new List<string>();
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        failed = false;
        try
        {
            while (reader.Read())
            {
                tokens.Add(Describe(reader.TokenType, (int)reader.TokenStartIndex, (int)reader.BytesConsumed, reader.CurrentDepth,
                    reader.ValueIsEscaped, reader.ValueSpan));
            }
        }
        catch (JsonException)
        {
            failed = true;
        }

        return tokens;
    }

    private static string Describe(JsonTokenType type, int start, int consumed, int depth, bool escaped, ReadOnlySpan<byte> value) =>
        $"{type} at {start}..{consumed} depth {depth}{(escaped ? " escaped" : string.Empty)} [{Encoding.UTF8.GetString(value)}]";

    private static void GenerateValue(StringBuilder text, Random random, int depth)
    {
        string[] blanks = ["", "", " ", "\n  ", "\t", "\r\n"];
        var blank = blanks[random.Next(blanks.Length)];
        switch (depth > 6 ? random.Next(3, 9) : random.Next(9))
        {
            case 0 or 1:
                text.Append('{').Append(blank);
                for (var i = random.Next(4); i > 0; i--)
                {
                    GenerateString(text, random);
                    text.Append(blank).Append(':').Append(blank);
                    GenerateValue(text, random, depth + 1);
                    text.Append(i > 1 ? "," + blank : blank);
                }

                text.Append('}');
                return;
            case 2:
                text.Append('[').Append(blank);
                for (var i = random.Next(4); i > 0; i--)
                {
                    GenerateValue(text, random, depth + 1);
                    text.Append(i > 1 ? "," + blank : blank);
                }

                text.Append(']');
                return;
            case 3 or 4 or 5:
                GenerateString(text, random);
                return;
            case 6 or 7:
                string[] numbers = ["0", "-0", "7", "-12", "3.25", "0.5e3", "1E-2", "-9.75e+10", "12345678901234567890", "1e400"];
                text.Append(numbers[random.Next(numbers.Length)]);
                return;
            default:
                string[] literals = ["true", "false", "null"];
                text.Append(literals[random.Next(literals.Length)]);
                return;
        }
    }

    private static void GenerateString(StringBuilder text, Random random)
    {
        string[] parts = ["a", "10.1.2.3", " ", "é", "中", "😀", "\\\"", "\\\\", "\\/", "\\n", "\\t", "\\u0041", "\\uD83D\\uDE00", "\\ud800", "key"];
        text.Append('"');
        for (var i = random.Next(5); i > 0; i--)
        {
            text.Append(parts[random.Next(parts.Length)]);
        }

        text.Append('"');
    }

    private static byte[] Mutate(byte[] alert, Random random, byte[] pieces)
    {
        var at = random.Next(alert.Length);
        var piece = pieces[random.Next(pieces.Length)];
        return random.Next(4) switch
        {
            0 => [.. alert[..at], .. alert[(at + 1)..]],
            1 => [.. alert[..at], piece, .. alert[at..]],
            2 => alert[..at],
            _ => [.. alert[..at], piece, .. alert[(at + 1)..]],
        };
    }

    private static List<byte[]> CorpusAlerts() => [.. AlertFiles.SamplesAndCorpus().SelectMany(AlertFiles.ReadAlerts)];
}
