using System.Text;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Core.Tests.Extraction;

/// <summary>
/// The shortcuts that let most strings skip the scanner: the raw-string prefilter, the run-shape check, and addresses
/// wherever they fall relative to the vector width of the searches.
/// </summary>
public sealed class ScanPrefilterTests
{
    private static string[] Scan(string text) => ScannedAddresses.Of(text);

    private static string[] ExtractIps(string json)
    {
        var result = new AlertExtraction();
        Assert.True(new AlertExtractor(new ExtractionOptions()).TryExtract(Encoding.UTF8.GetBytes(json), result, out var rejection), rejection.Reason);
        return [.. Enumerable.Range(0, result.Count).Select(i => result.GetIp(i).Canonical)];
    }

    [Theory]
    [InlineData("1.2.3.4")]
    [InlineData("::")]
    [InlineData("a:b")]
    [InlineData("10[dot]0[dot]0[dot]1")]
    [InlineData("10(dot)0(dot)0(dot)1")]
    [InlineData("10%2E0%2E0%2E1")]
    [InlineData(@"\u0031\u0030\u002e0")]
    [InlineData("""{"a":1}""")]
    public void Keeps_raw_strings_that_may_hold_an_address(string raw) =>
        Assert.True(IpTextScanner.MayHoldAddress(Encoding.UTF8.GetBytes(raw)));

    [Theory]
    [InlineData("")]
    [InlineData("no digits at all, not even a colon")]
    [InlineData("2024-01-15")]
    [InlineData("1234567890123456789012345678901234567890")]
    [InlineData("3f2504e0-4f89-11d3-9a0c-0305e82c3301")]
    public void Dismisses_raw_strings_that_cannot(string raw) =>
        Assert.False(IpTextScanner.MayHoldAddress(Encoding.UTF8.GetBytes(raw)));

    [Theory]
    [InlineData("1.2.3.4", "1.2.3.4")]
    [InlineData("::1", "::1")]
    [InlineData("::ffff:192.0.2.1", "192.0.2.1")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("198[.]51[.]100[.]23", "198.51.100.23")]
    public void Finds_an_address_at_every_offset_across_vector_boundaries(string address, string expected)
    {
        foreach (var filler in new[] { " ", "2024-01-15 ", "v 1.2 " })
        {
            for (var offset = 0; offset <= 70; offset++)
            {
                var lead = string.Concat(Enumerable.Repeat(filler, offset))[..offset];
                if (lead.Length > 0 && lead[^1] != ' ')
                {
                    lead = lead[..^1] + " ";
                }

                Assert.Equal([expected], Scan(lead + address + " tail " + new string('x', offset % 40)));
                Assert.Equal([expected], Scan(lead + address));
            }
        }
    }

    [Theory]
    [InlineData("1.2")]
    [InlineData("1.2.3")]
    [InlineData("10:20")]
    [InlineData("1.2:3.4")]
    [InlineData("12 34 56 78")]
    public void Runs_with_too_few_dots_and_colons_hold_nothing(string text) => Assert.Empty(Scan(text));

    [Theory]
    [InlineData("at 1.2.3.4", "1.2.3.4")]
    [InlineData("at ::1", "::1")]
    [InlineData("fe80::", "fe80::")]
    [InlineData("1[dot]2[dot]3[dot]4", "1.2.3.4")]
    [InlineData("8(DOT)8(DOT)4(DOT)4:53", "8.8.4.4")]
    public void Text_with_just_enough_dots_colons_or_defanged_dots_is_scanned(string text, string expected) =>
        Assert.Equal([expected], Scan(text));

    [Theory]
    [InlineData(@"C:\Windows\System32\cmd.exe /c ping 10 -n 4 2024-01-15T10:22Z")]
    [InlineData("build 10.0 of 2024, 17763 and 2686 on port 443:")]
    public void Text_with_many_numbers_but_too_few_separators_holds_nothing(string text) => Assert.Empty(Scan(text));

    [Fact]
    public void Digits_and_dots_alone_find_what_they_find_after_a_space()
    {
        // Text of only digits and dots takes a shortcut; a leading space (no address's part) sends it the long way.
        var random = new Random(24);
        var withAddress = 0;
        for (var n = 0; n < 5000; n++)
        {
            var parts = Enumerable.Range(0, random.Next(3) == 0 ? random.Next(1, 7) : 4).Select(_ => (random.Next(4) == 0 ? "0" : "") + random.Next(0, 300));
            var text = (random.Next(8) == 0 ? "." : "") + string.Join(random.Next(10) == 0 ? ".." : ".", parts) + (random.Next(8) == 0 ? "." : "");
            var found = Scan(text);
            Assert.Equal(Scan(" " + text), found);
            withAddress += found.Length;
        }

        Assert.InRange(withAddress, 500, 5000); // the mix holds addresses, not only near misses

        Assert.Equal(["192.0.2.1"], Scan("192.0.2.1"));
        Assert.Equal(["192.0.2.1"], Scan("192.0.2.1."));
        Assert.Empty(Scan("10.0.17763.2686"));
    }

    [Theory]
    [InlineData("2024-01-15T10:23:45Z")]
    [InlineData("2024-01-15T10:23:45.1234567Z")]
    [InlineData("2024-01-15 10:23:45,123")]
    [InlineData("2024-01-15T10:23:45.123+01:00")]
    [InlineData("2024-01-15T10:23:45-0530")]
    [InlineData("2024-01-15T10:23+01:00")]
    [InlineData("2024-01-15T10:23:45")]
    public void Whole_timestamps_hold_nothing(string text) => Assert.Empty(Scan(text));

    [Theory]
    [InlineData("2024-01-15T10:23:45Z 10.0.0.1")]
    [InlineData("2024-01-15T10:23:45.123Z,10.0.0.1")]
    [InlineData("10.0.0.1 2024-01-15T10:23:45Z")]
    [InlineData("2024-01-15T10:23:45+10.0.0.1")]
    public void Timestamps_with_more_text_are_scanned(string text) => Assert.Equal(["10.0.0.1"], Scan(text));

    [Theory]
    [InlineData("""{"m":"from \u0031\u0030.0.0.1 here"}""", "10.0.0.1")]
    [InlineData("""{"m":"a\/198.51.100.9\/b"}""", "198.51.100.9")]
    [InlineData("""{"m":"quoted \"198.51.100.10\""}""", "198.51.100.10")]
    [InlineData("""{"m":"\u003a\u003a1"}""", "::1")]
    [InlineData("""{"m":"x 10\u002e0\u002e0\u002e7"}""", "10.0.0.7")]
    public void Escaped_strings_are_unescaped_before_the_scan(string json, string expected) =>
        Assert.Equal([expected], ExtractIps(json));

    [Theory]
    [InlineData("""{"macs":["52:54:00:36:3e:ff",["203.0.113.4"]]}""")]
    [InlineData("""{"versions":[["203.0.113.4"]],"ok":"no address"}""")]
    public void Arrays_take_their_holders_exclusion(string json) => Assert.Empty(ExtractIps(json));

    [Theory]
    [InlineData("""{"version":{"peer":"203.0.113.4"}}""")]
    [InlineData("""{"hosts":[["203.0.113.4"]]}""")]
    [InlineData("""{"mac":"00:00","peer":"203.0.113.4"}""")]
    [InlineData("""{"e":"[\"203.0.113.4\"]"}""")]
    public void Names_are_judged_per_value(string json) => Assert.Equal(["203.0.113.4"], ExtractIps(json));
}
