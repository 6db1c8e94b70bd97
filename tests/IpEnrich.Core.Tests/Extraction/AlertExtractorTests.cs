using System.Text;
using IpEnrich.Core.Alerts;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Core.Tests.Extraction;

public sealed class AlertExtractorTests
{
    private static AlertExtraction Extract(string json, ExtractionOptions? options = null)
    {
        var result = new AlertExtraction();
        Assert.True(new AlertExtractor(options ?? new ExtractionOptions()).TryExtract(Encoding.UTF8.GetBytes(json), result, out var rejection), rejection.Reason);
        return result;
    }

    private static Dictionary<string, string[]> PathsByIp(AlertExtraction result) =>
        Enumerable.Range(0, result.Count).ToDictionary(i => result.GetIp(i).Canonical, i => result.GetPathStrings(i).ToArray());

    [Fact]
    public void Reports_each_ip_with_every_json_path_it_was_found_at()
    {
        var result = Extract("""
            {"evidence":[{"ipAddress":null},{"ipAddress":"10.209.67.177","note":"seen 10.209.67.177 twice: 10.209.67.177"}],
             "id.orig_h":"192.0.2.1","TimeGenerated [UTC]":"from 192.0.2.1","a\"b":"192.0.2.1"}
            """);
        var paths = PathsByIp(result);
        Assert.Equal(["$.evidence[1].ipAddress", "$.evidence[1].note"], paths["10.209.67.177"]);
        Assert.Equal(["$['id.orig_h']", "$['TimeGenerated [UTC]']", "$['a\"b']"], paths["192.0.2.1"]);
    }

    [Fact]
    public void Paths_keep_names_that_are_not_ascii_or_were_escaped_as_their_text()
    {
        var result = Extract("""
            {"adresse_distante":{"hôte":"192.0.2.1"},"caf\u00e9 ip":"192.0.2.1","it's":{"a\\b":["x","192.0.2.1"]},
             "note":"{\"inner ip\":\"192.0.2.1\"}"}
            """);
        Assert.Equal(
            ["$.adresse_distante['hôte']", "$['café ip']", "$['it\\'s']['a\\\\b'][1]", "$.note<json>['inner ip']"],
            PathsByIp(result)["192.0.2.1"]);
    }

    [Fact]
    public void Candidates_as_values_and_as_addresses_agree_in_order_and_skipped_ones_are_in_neither()
    {
        var result = Extract("""{"a":"198.51.100.7","b":"127.0.0.1","c":"::ffff:203.0.113.9","d":"2001:db8::1","e":"198.51.100.7"}""");

        Assert.Equal(3, result.CandidateCount);
        Assert.Equal(["198.51.100.7", "203.0.113.9", "2001:db8::1"], result.Candidates.Select(ip => ip.ToString()));
        Assert.Equal(result.Candidates.Select(IpValue.FromAddress), result.CandidateValues);
        Assert.Equal("loopback", result.GetSkipReason(1));
        Assert.Equal(result.GetValue(2), result.GetIp(2).Value);
        Assert.Same(result.GetIp(0), result.GetIp(0));
    }

    [Fact]
    public void Searches_json_documents_embedded_in_strings()
    {
        var result = Extract("""{"Entities":"[{\"$id\":\"2\",\"Address\":\"198.51.100.14\",\"Type\":\"ip\"}]"}""");
        Assert.Equal(["$.Entities<json>[0].Address"], PathsByIp(result)["198.51.100.14"]);
    }

    [Fact]
    public void Embedded_text_that_only_looks_like_json_is_scanned_as_text()
    {
        var result = Extract("""{"msg":"{not json, from 198.51.100.3}"}""");
        Assert.Equal(["$.msg"], PathsByIp(result)["198.51.100.3"]);
    }

    [Fact]
    public void Keeps_document_order_and_counts_distinct_ips_once()
    {
        var result = Extract("""{"a":"203.0.113.9","b":["198.51.100.1","203.0.113.9"],"c":"::ffff:198.51.100.1"}""");
        Assert.Equal(["203.0.113.9", "198.51.100.1"], result.Candidates.Select(a => a.ToString()));
    }

    [Fact]
    public void Many_ips_are_each_listed_once_with_every_path_also_in_a_reused_scratch()
    {
        // Past a few addresses the listing switches from a scan to an index: both sides of it, twice over one scratch.
        var ips = Enumerable.Range(1, 20).Select(i => $"198.51.100.{i}").ToArray();
        var json = $$"""{"a":[{{string.Join(',', ips.Select(ip => $"\"{ip}\""))}}],"b":[{{string.Join(',', ips.Reverse().Select(ip => $"\"{ip}\""))}}]}""";
        var extractor = new AlertExtractor(new ExtractionOptions());
        var scratch = new AlertExtraction();
        for (var round = 0; round < 2; round++)
        {
            Assert.True(extractor.TryExtract(Encoding.UTF8.GetBytes(json), scratch, out _));
            Assert.Equal(ips, scratch.Candidates.Select(a => a.ToString()));
            var paths = PathsByIp(scratch);
            Assert.Equal(["$.a[0]", "$.b[19]"], paths["198.51.100.1"]);
            Assert.Equal(["$.a[8]", "$.b[11]"], paths["198.51.100.9"]);
            Assert.Equal(["$.a[9]", "$.b[10]"], paths["198.51.100.10"]);
            Assert.Equal(["$.a[19]", "$.b[0]"], paths["198.51.100.20"]);
        }
    }

    [Fact]
    public void Fields_named_for_versions_macs_serials_and_hashes_are_not_scanned()
    {
        var result = Extract("""{"file":{"pe":{"file_version":"0.0.0.0"}},"DeviceVersion":"1.2.3.4","sha256":"1.2.3.5","tls":{"serial":"1.2.3.6"},"SourceMACAddress":"1.2.3.7","macs":["1.2.3.8"],"mac":["1.2.3.9"],"machine":"1.2.3.10"}""");
        Assert.Equal(["1.2.3.10"], result.Candidates.Select(a => a.ToString()));
    }

    [Fact]
    public void Known_paths_are_scanned_even_when_their_name_is_excluded()
    {
        var options = new ExtractionOptions();
        options.KnownPaths.Add("$.device.version_ip");
        var result = Extract("""{"device":{"version_ip":"192.0.2.44"}}""", options);
        Assert.Equal(["192.0.2.44"], result.Candidates.Select(a => a.ToString()));
    }

    [Fact]
    public void Without_scanning_all_strings_only_known_paths_are_read()
    {
        var options = new ExtractionOptions { ScanAllStrings = false };
        var result = Extract("""{"src_ip":"192.0.2.1","description":"from 192.0.2.2","host":{"ip":["192.0.2.3"]},"x":{"remoteIpDetails":{"ipAddressV4":"192.0.2.4"}},"id.orig_h":"192.0.2.5"}""", options);
        Assert.Equal(["192.0.2.1", "192.0.2.3", "192.0.2.4", "192.0.2.5"], result.Candidates.Select(a => a.ToString()));
    }

    [Fact]
    public void Default_filters_skip_non_host_classes_with_a_reason()
    {
        var result = Extract("""{"ips":["127.0.0.1","::1","0.0.0.0","::","224.0.0.1","ff02::1","169.254.1.1","fe80::1","255.255.255.255","10.0.0.1"]}""");
        var reasons = Enumerable.Range(0, result.Count).ToDictionary(i => result.GetIp(i).Canonical, result.GetSkipReason);
        Assert.Equal("loopback", reasons["127.0.0.1"]);
        Assert.Equal("loopback", reasons["::1"]);
        Assert.Equal("unspecified", reasons["0.0.0.0"]);
        Assert.Equal("unspecified", reasons["::"]);
        Assert.Equal("multicast", reasons["224.0.0.1"]);
        Assert.Equal("multicast", reasons["ff02::1"]);
        Assert.Equal("link_local", reasons["169.254.1.1"]);
        Assert.Equal("link_local", reasons["fe80::1"]);
        Assert.Equal("broadcast", reasons["255.255.255.255"]);
        Assert.Null(reasons["10.0.0.1"]);
        Assert.Equal(["10.0.0.1"], result.Candidates.Select(a => a.ToString()));
    }

    [Fact]
    public void Allow_and_deny_lists_select_what_is_looked_up()
    {
        var options = new ExtractionOptions();
        options.AllowCidrs.Add("10.0.0.0/8");
        options.AllowCidrs.Add("2001:db8::/32");
        options.DenyCidrs.Add("10.9.0.0/16");
        var result = Extract("""{"a":["10.1.1.1","10.9.1.1","192.0.2.1","2001:db8::1","2001:db9::1"]}""", options);
        var reasons = Enumerable.Range(0, result.Count).ToDictionary(i => result.GetIp(i).Canonical, result.GetSkipReason);
        Assert.Null(reasons["10.1.1.1"]);
        Assert.Equal("denied", reasons["10.9.1.1"]);
        Assert.Equal("not_allowed", reasons["192.0.2.1"]);
        Assert.Null(reasons["2001:db8::1"]);
        Assert.Equal("not_allowed", reasons["2001:db9::1"]);
    }

    [Fact]
    public void Invalid_cidr_setting_fails_with_the_setting_named()
    {
        var options = new ExtractionOptions();
        options.DenyCidrs.Add("10.0.0.0/33");
        var error = Assert.Throws<ArgumentException>(() => new AlertExtractor(options));
        Assert.StartsWith("Extraction:DenyCidrs: '10.0.0.0/33'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ips_over_the_per_alert_cap_are_skipped_and_listing_is_bounded()
    {
        var ips = string.Join(',', Enumerable.Range(0, 10_000).Select(i => $"\"10.{i / 65536}.{i / 256 % 256}.{i % 256}\""));
        var result = Extract($$"""{"ips":[{{ips}}]}""");
        Assert.Equal(32, result.Candidates.Count);
        Assert.Equal(256, result.Count);
        Assert.Equal("max_ips_per_alert", result.GetSkipReason(32));
        Assert.Equal(10_000 - 256, result.IpsNotListed);
    }

    [Fact]
    public void An_earlier_enrichment_property_is_not_scanned()
    {
        var result = Extract("""{"a":"192.0.2.1","ipEnrichment":{"ips":[{"ip":"198.51.100.1"}]}}""");
        Assert.Equal(["192.0.2.1"], result.Candidates.Select(a => a.ToString()));
    }

    private static readonly Dictionary<string, (Func<byte[]> Input, RejectionKind Kind)> Malformed = new()
    {
        ["empty"] = (() => [], RejectionKind.Empty),
        ["whitespace"] = (() => "  \n "u8.ToArray(), RejectionKind.Empty),
        ["truncated"] = (() => """{"a":"192.0.2.1","b":[1,2"""u8.ToArray(), RejectionKind.NotJson),
        ["trailing garbage"] = (() => """{"a":1} x"""u8.ToArray(), RejectionKind.NotJson),
        ["two documents"] = (() => """{"a":1}{"b":2}"""u8.ToArray(), RejectionKind.NotJson),
        ["comment"] = (() => """{"a":1 /* c */}"""u8.ToArray(), RejectionKind.NotJson),
        ["binary"] = (() => [0x00, 0x01, 0x02, 0x7B, 0x7D], RejectionKind.NotJson),
        ["invalid utf-8"] = (() => [.. "{\"a\":\""u8, 0xC3, 0x28, .. "\"}"u8], RejectionKind.InvalidUtf8),
        ["overlong utf-8"] = (() => [.. "{\"a\":\""u8, 0xC0, 0xAF, .. "\"}"u8], RejectionKind.InvalidUtf8),
        ["lone surrogate"] = (() => [.. "{\"a\":\""u8, 0xED, 0xA0, 0x80, .. "\"}"u8], RejectionKind.InvalidUtf8),
        ["array"] = (() => "[1,2,3]"u8.ToArray(), RejectionKind.NotAnObject),
        ["string"] = (() => "\"192.0.2.1\""u8.ToArray(), RejectionKind.NotAnObject),
        ["number"] = (() => "42"u8.ToArray(), RejectionKind.NotAnObject),
        ["null"] = (() => "null"u8.ToArray(), RejectionKind.NotAnObject),
        ["10k-deep nesting"] = (() => Encoding.UTF8.GetBytes("{\"a\":" + new string('[', 10_000) + new string(']', 10_000) + "}"), RejectionKind.TooDeep),
        ["10k-deep objects"] = (() => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 10_000)) + "1" + new string('}', 10_000)), RejectionKind.TooDeep),
        ["5 MiB string"] = (() => Encoding.UTF8.GetBytes("{\"a\":\"" + new string('x', 5 * 1024 * 1024) + "\"}"), RejectionKind.TooLarge),
    };

    public static TheoryData<string> MalformedCases() => [.. Malformed.Keys];

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public void Malformed_input_is_a_rejection_with_a_one_line_reason(string name)
    {
        var (input, kind) = Malformed[name];
        var extractor = new AlertExtractor(new ExtractionOptions());
        var ok = extractor.TryExtract(input(), new AlertExtraction(), out var rejection);
        Assert.False(ok, name);
        Assert.Equal(kind, rejection.Kind);
        Assert.False(string.IsNullOrWhiteSpace(rejection.Reason));
        Assert.DoesNotContain('\n', rejection.Reason);
        Assert.True(rejection.Reason.Length <= 300);
    }

    [Fact]
    public void Depth_limit_is_exact()
    {
        var options = new ExtractionOptions { MaxDepth = 4 };
        var extractor = new AlertExtractor(options);
        Assert.True(extractor.TryExtract("""{"a":{"b":{"c":["192.0.2.1"]}}}"""u8, new AlertExtraction(), out _));
        Assert.False(extractor.TryExtract("""{"a":{"b":{"c":[["192.0.2.1"]]}}}"""u8, new AlertExtraction(), out var rejection));
        Assert.Equal(RejectionKind.TooDeep, rejection.Kind);
        Assert.Equal("nesting deeper than Extraction:MaxDepth (4)", rejection.Reason);
    }

    [Fact]
    public void A_utf8_byte_order_mark_is_accepted()
    {
        var result = new AlertExtraction();
        Assert.True(new AlertExtractor(new ExtractionOptions()).TryExtract([0xEF, 0xBB, 0xBF, .. """{"a":"192.0.2.1"}"""u8], result, out _));
        Assert.Equal(["192.0.2.1"], result.Candidates.Select(a => a.ToString()));
    }

    [Fact]
    public void The_extraction_object_is_reusable_across_alerts()
    {
        var extractor = new AlertExtractor(new ExtractionOptions());
        var result = new AlertExtraction();
        Assert.True(extractor.TryExtract("""{"a":"192.0.2.1","b":"192.0.2.2"}"""u8, result, out _));
        Assert.True(extractor.TryExtract("""{"c":"192.0.2.3"}"""u8, result, out _));
        Assert.Equal(["192.0.2.3"], result.Candidates.Select(a => a.ToString()));
        Assert.Equal(["$.c"], result.GetPathStrings(0));
        Assert.False(extractor.TryExtract("[]"u8, result, out _));
        Assert.Equal(0, result.Count);
    }

    [Theory]
    [InlineData("abcdefgh1ijklmnop", true)]
    [InlineData("abcdefgh2ijklmnop", false)] // same length, head and tail as the known name: same bucket, no match
    public void Known_paths_match_whole_names(string name, bool found)
    {
        var options = new ExtractionOptions { ScanAllStrings = false };
        options.KnownPaths.Add("$.abcdefgh1ijklmnop");
        var result = Extract($$"""{"{{name}}":"203.0.113.8"}""", options);
        Assert.Equal(found ? 1 : 0, result.Count);
    }
}
