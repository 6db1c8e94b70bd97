using System.Text;
using System.Text.Json;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Core.Tests.Extraction;

/// <summary>How string values are decoded before they are scanned: JSON escapes (leniently) and percent-encoding.</summary>
public sealed class InputDecodingTests
{
    /// <summary>Every IP found, in document order, with its paths joined by a space.</summary>
    private static string[] Found(string json)
    {
        var result = new AlertExtraction();
        var accepted = new AlertExtractor(new ExtractionOptions()).TryExtract(Encoding.UTF8.GetBytes(json), result, out var rejection);
        Assert.True(accepted, rejection.Reason);
        return [.. Enumerable.Range(0, result.Count).Select(i => $"{result.GetIp(i).Canonical} {string.Join(' ', result.GetPathStrings(i))}")];
    }

    [Theory]
    [InlineData("""{"x":"\ud800","src_ip":"52.94.133.131"}""", "52.94.133.131 $.src_ip")]
    [InlineData("""{"x":"\udc00 end","src_ip":"52.94.133.131"}""", "52.94.133.131 $.src_ip")]
    [InlineData("""{"x":"\ud800\u0041 \ud800\ud800","src_ip":"52.94.133.131"}""", "52.94.133.131 $.src_ip")]
    [InlineData("""{"x":"\ud80052.94.133.131"}""", "52.94.133.131 $.x")]
    [InlineData("""{"x":"52.94.133.131\udfff"}""", "52.94.133.131 $.x")]
    [InlineData("""{"x":"\udfff52.94.133.131\ud800"}""", "52.94.133.131 $.x")]
    [InlineData("""{"x":"\ud83d\ude00 52.94.133.131 C:\\Temp\t\"q\""}""", "52.94.133.131 $.x")]
    [InlineData("""{"severity":"high\ud800","src_ip":"52.94.133.131"}""", "52.94.133.131 $.src_ip")]
    public void A_lone_surrogate_escape_is_a_boundary_and_the_alert_is_scanned(string json, string expected) =>
        Assert.Equal([expected], Found(json));

    [Fact]
    public void A_lone_surrogate_in_a_property_name_does_not_reject_the_alert()
    {
        var found = Assert.Single(Found("""{"a\ud800":"52.94.133.131"}"""));
        Assert.StartsWith("52.94.133.131 $", found, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("%31%39%38.51.100.116", "198.51.100.116")]
    [InlineData("%2F198.51.100.5%2F", "198.51.100.5")]
    [InlineData("GET /a?ip=10.1.2.3%2F", "10.1.2.3")]
    [InlineData("GET /a?ip=10%2E1%2e2%2E4&x=1", "10.1.2.4")]
    [InlineData("next=%5B2001%3Adb8%3A%3A5%5D%3A443", "2001:db8::5")]
    [InlineData("%G1.2.3.4 and %G1%2F198.51.100.8 and %zz", "198.51.100.8")]
    [InlineData("load 100%25%20from%20192.0.2.50", "192.0.2.50")]
    [InlineData("%25192.0.2.51", "192.0.2.51")]
    [InlineData("99% of 192.0.2.52, 100%", "192.0.2.52")]
    public void Percent_encoded_text_is_scanned_as_the_text_it_encodes(string text, params string[] expected) =>
        Assert.Equal(expected.Select(ip => $"{ip} $.url"), Found($$"""{"url":"{{text}}"}"""));

    [Fact]
    public void Encoded_and_plain_ips_in_one_string_are_all_reported_at_its_path()
    {
        var found = Found("""{"req":{"uri":"GET /x?a=%31%30.0.0.7&b=203.0.113.9 via 198%2E51%2E100%2E20%2F24 to 192.0.2.7%2F"}}""");
        Assert.Equal(["10.0.0.7 $.req.uri", "203.0.113.9 $.req.uri", "192.0.2.7 $.req.uri"], found);
    }

    [Fact]
    public void Percent_escapes_written_as_json_escapes_are_decoded_too()
    {
        Assert.Equal(["198.51.100.9 $.url"], Found("""{"url":"\u002531%39%38.51.100.9"}"""));
    }

    [Theory]
    [InlineData("%25", "%")]
    [InlineData("%252F", "%2F")]
    [InlineData("a%2e%2Eb", "a..b")]
    [InlineData("%G1 %1 %4", "%G1 %1 %4")]
    [InlineData("100%", "100%")]
    [InlineData("%%31", "%1")]
    public void Percent_decoding_decodes_each_escape_once_and_keeps_bogus_ones(string text, string expected)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        var decoded = new byte[bytes.Length];
        Assert.Equal(expected, Encoding.UTF8.GetString(decoded, 0, PercentDecoding.Decode(bytes, decoded)));
    }

    [Theory]
    [InlineData(""" "plain" """)]
    [InlineData(""" "C:\\Windows\\System32\/x \"q\" \b\f\n\r\t" """)]
    [InlineData(""" "\u0041\u00e9\u20ac\ud83d\ude00\u0000 end" """)]
    public void Valid_escapes_unescape_as_the_json_reader_does(string json)
    {
        var escaped = Encoding.UTF8.GetBytes(json.Trim()[1..^1]);
        var unescaped = new byte[escaped.Length];
        var expected = Encoding.UTF8.GetBytes(JsonSerializer.Deserialize<string>(json)!);
        Assert.Equal(expected, unescaped.AsSpan(0, JsonStringUnescaper.Unescape(escaped, unescaped)).ToArray());
    }
}
