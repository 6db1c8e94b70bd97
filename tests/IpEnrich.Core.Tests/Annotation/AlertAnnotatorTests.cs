using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Json;
using IpEnrich.Core.Annotation;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Testing;

namespace IpEnrich.Core.Tests.Annotation;

public sealed class AlertAnnotatorTests
{
    private static readonly DateTimeOffset EnrichedAt = new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset FetchedAt = new(2026, 11, 23, 9, 12, 44, TimeSpan.Zero);

    public static TheoryData<string> AllAlertFiles() => [.. AlertFiles.SamplesAndCorpus()];

    [Theory]
    [MemberData(nameof(AllAlertFiles))]
    public void Output_is_the_input_byte_for_byte_plus_one_property(string file)
    {
        foreach (var alert in AlertFiles.ReadAlerts(file))
        {
            var output = Annotate(alert, out _);
            using var doc = JsonDocument.Parse(output);
            Assert.Equal(JsonValueKind.Object, doc.RootElement.GetProperty("ipEnrichment").ValueKind);
            Assert.Equal(alert, JsonProperties.RemoveTopLevel(output, "ipEnrichment"));
        }
    }

    [Theory]
    [MemberData(nameof(AllAlertFiles))]
    public void Re_annotation_replaces_rather_than_duplicates(string file)
    {
        foreach (var alert in AlertFiles.ReadAlerts(file))
        {
            var once = Annotate(alert, out _);
            var twice = Annotate(once, out _);
            Assert.Equal(once, twice);
            Assert.Equal(1, CountTopLevel(twice, "ipEnrichment"));
        }
    }

    [Fact]
    public void Writes_the_contract_object()
    {
        var alert = """{"evidence":[{"ipAddress":"10.209.67.177"}],"note":"from 127.0.0.1 and 192.0.2.9 and 198.51.100.1 and 198.51.100.2"}"""u8.ToArray();
        var output = Annotate(alert, out var status, ip => ip.ToString() switch
        {
            "10.209.67.177" => IpLookupResult.Found(new IpStats(63515, new DateTimeOffset(2017, 7, 30, 13, 36, 6, TimeSpan.Zero), new DateTimeOffset(2017, 8, 29, 13, 32, 59, TimeSpan.Zero)), LookupSource.Cache, FetchedAt),
            "192.0.2.9" => IpLookupResult.NotSeen(LookupSource.Api, FetchedAt),
            "198.51.100.1" => IpLookupResult.Deferred("quota"),
            _ => IpLookupResult.Error("unexpected answer 418"),
        });
        Assert.Equal(AlertEnrichmentStatus.Partial, status);
        using var doc = JsonDocument.Parse(output);
        var e = doc.RootElement.GetProperty("ipEnrichment");
        Assert.Equal("microsoft-defender-for-endpoint", e.GetProperty("provider").GetString());
        Assert.Equal(720, e.GetProperty("lookBackHours").GetInt32());
        Assert.Equal("partial", e.GetProperty("status").GetString());
        Assert.Equal("2026-11-23T10:00:00.000Z", e.GetProperty("enrichedAt").GetString());
        var ips = e.GetProperty("ips").EnumerateArray().ToList();
        Assert.Equal(
            """{"ip":"10.209.67.177","paths":["$.evidence[0].ipAddress"],"status":"found","organizationPrevalence":63515,"orgFirstSeen":"2017-07-30T13:36:06Z","orgLastSeen":"2017-08-29T13:32:59Z","source":"cache","fetchedAt":"2026-11-23T09:12:44.000Z"}""",
            ips[0].GetRawText());
        Assert.Equal("""{"ip":"127.0.0.1","paths":["$.note"],"status":"skipped","reason":"loopback"}""", ips[1].GetRawText());
        Assert.Equal("""{"ip":"192.0.2.9","paths":["$.note"],"status":"not_seen","organizationPrevalence":0,"orgFirstSeen":null,"orgLastSeen":null,"source":"api","fetchedAt":"2026-11-23T09:12:44.000Z"}""", ips[2].GetRawText());
        Assert.Equal("""{"ip":"198.51.100.1","paths":["$.note"],"status":"deferred","reason":"quota"}""", ips[3].GetRawText());
        Assert.Equal("""{"ip":"198.51.100.2","paths":["$.note"],"status":"error","error":"unexpected answer 418"}""", ips[4].GetRawText());
    }

    [Fact]
    public void With_triage_each_final_answer_says_its_rarity_and_newness_and_the_alert_its_rarest_class()
    {
        var rules = new TriageRules(3, 50, TimeSpan.FromHours(24));
        var alert = """{"note":"192.0.2.1 192.0.2.2 192.0.2.3 198.51.100.1"}"""u8.ToArray();
        var output = Annotate(alert, out _, ip => ip.ToString() switch
        {
            "192.0.2.1" => IpLookupResult.Found(new IpStats(51, FetchedAt.AddDays(-9), FetchedAt), LookupSource.Cache, FetchedAt),
            "192.0.2.2" => IpLookupResult.Found(new IpStats(2, FetchedAt.AddHours(-5), FetchedAt), LookupSource.Api, FetchedAt),
            "192.0.2.3" => IpLookupResult.NotSeen(LookupSource.Stale, FetchedAt),
            _ => IpLookupResult.Deferred("quota"),
        }, rules);
        using var doc = JsonDocument.Parse(output);
        var e = doc.RootElement.GetProperty("ipEnrichment");
        var ips = e.GetProperty("ips").EnumerateArray().ToList();
        Assert.Equal(
            """{"ip":"192.0.2.2","paths":["$.note"],"status":"found","organizationPrevalence":2,"orgFirstSeen":"2026-11-23T04:12:44Z","orgLastSeen":"2026-11-23T09:12:44Z","rarity":"rare","new":true,"source":"api","fetchedAt":"2026-11-23T09:12:44.000Z"}""",
            ips[1].GetRawText());
        Assert.Equal("common", ips[0].GetProperty("rarity").GetString());
        Assert.False(ips[0].TryGetProperty("new", out _));
        Assert.Equal("unseen", ips[2].GetProperty("rarity").GetString());
        Assert.False(ips[3].TryGetProperty("rarity", out _));
        Assert.Equal("""{"rarest":"unseen","newIps":1}""", e.GetProperty("triage").GetRawText());
    }

    [Fact]
    public void Without_a_final_answer_the_output_is_the_same_with_triage_on_or_off()
    {
        var alert = """{"note":"192.0.2.1 198.51.100.1"}"""u8.ToArray();
        static IpLookupResult Deferred(IPAddress ip) => IpLookupResult.Deferred("timeout");
        var off = Annotate(alert, out _, Deferred);
        var on = Annotate(alert, out _, Deferred, new TriageRules(3, 50, TimeSpan.FromHours(24)));
        Assert.Equal(off, on);
        Assert.False(JsonDocument.Parse(on).RootElement.GetProperty("ipEnrichment").TryGetProperty("triage", out _));
    }

    [Theory]
    [InlineData("""{"a":1}""", AlertEnrichmentStatus.Complete)]
    [InlineData("""{"a":"no ips"}""", AlertEnrichmentStatus.None)]
    [InlineData("""{"a":"127.0.0.1"}""", AlertEnrichmentStatus.None)]
    public void Alert_status_follows_the_ip_results(string json, AlertEnrichmentStatus expected)
    {
        var alert = Encoding.UTF8.GetBytes(json.Replace("1}", "\"192.0.2.1\"}", StringComparison.Ordinal));
        Annotate(alert, out var status);
        Assert.Equal(expected, status);
    }

    [Fact]
    public void All_deferred_is_deferred()
    {
        Annotate("""{"a":"192.0.2.1 192.0.2.2"}"""u8.ToArray(), out var status, _ => IpLookupResult.Deferred("timeout"));
        Assert.Equal(AlertEnrichmentStatus.Deferred, status);
    }

    [Theory]
    [InlineData("{}", """{"ipEnrichment":""")]
    [InlineData("{ }", """{"ipEnrichment":""")]
    [InlineData("""{"ipEnrichment":{"old":true}}""", """{"ipEnrichment":""")]
    [InlineData("""{"ipEnrichment":1, "a":2}""", """{"a":2,"ipEnrichment":""")]
    [InlineData("""{"a":2 , "ipEnrichment":1}""", """{"a":2,"ipEnrichment":""")]
    [InlineData("""{"ipEnrichment":1,"ipEnrichment":2,"a":3}""", """{"a":3,"ipEnrichment":""")]
    [InlineData("""{"a":1,"ipEnrichment":[],"b":2}""", """{"a":1,"b":2,"ipEnrichment":""")]
    public void Edge_layouts_stay_valid_json(string input, string expectedStart)
    {
        var output = Annotate(Encoding.UTF8.GetBytes(input), out _);
        using var doc = JsonDocument.Parse(output);
        Assert.StartsWith(expectedStart, Encoding.UTF8.GetString(output).Replace(" ", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Equal(1, CountTopLevel(output, "ipEnrichment"));
    }

    [Fact]
    public void Each_entry_names_its_address_in_canonical_form()
    {
        var alert = """{"x":"0.0.0.1 10.0.0.10 100.64.255.254 255.255.255.254 ::ffff:198.51.100.7 2001:DB8:0:0::A:1 1.2.3.4:443"}"""u8.ToArray();
        var extraction = new AlertExtraction();
        Assert.True(new AlertExtractor(new ExtractionOptions()).TryExtract(alert, extraction, out _));

        var output = Annotate(alert, out _);

        using var doc = JsonDocument.Parse(output);
        var written = doc.RootElement.GetProperty("ipEnrichment").GetProperty("ips").EnumerateArray().Select(e => e.GetProperty("ip").GetString()).ToList();
        Assert.Equal(Enumerable.Range(0, extraction.Count).Select(i => extraction.GetIp(i).Canonical), written);
        Assert.Equal(["0.0.0.1", "10.0.0.10", "100.64.255.254", "255.255.255.254", "198.51.100.7", "2001:db8::a:1", "1.2.3.4"], written);
    }

    [Fact]
    public void A_custom_property_name_is_used()
    {
        var extractor = new AlertExtractor(new ExtractionOptions { EnrichmentProperty = "mde" });
        var annotator = new AlertAnnotator("mde");
        var result = new AlertExtraction();
        var alert = """{"mde":{"x":"10.0.0.9"},"a":"192.0.2.1"}"""u8.ToArray();
        Assert.True(extractor.TryExtract(alert, result, out _));
        var buffer = new ArrayBufferWriter<byte>();
        annotator.Annotate(alert, result, [IpLookupResult.Deferred("quota")], 24, EnrichedAt, buffer);
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        Assert.Equal(24, doc.RootElement.GetProperty("mde").GetProperty("lookBackHours").GetInt32());
        Assert.Single(doc.RootElement.GetProperty("mde").GetProperty("ips").EnumerateArray());
    }

    internal static byte[] Annotate(byte[] alert, out AlertEnrichmentStatus status, Func<IPAddress, IpLookupResult>? lookup = null, TriageRules? triage = null)
    {
        var extractor = new AlertExtractor(new ExtractionOptions());
        var result = new AlertExtraction();
        Assert.True(extractor.TryExtract(alert, result, out var rejection), rejection.Reason);
        lookup ??= _ => IpLookupResult.Found(new IpStats(3, FetchedAt.AddDays(-2), FetchedAt), LookupSource.Api, FetchedAt);
        var results = result.Candidates.Select(lookup).ToArray();
        var buffer = new ArrayBufferWriter<byte>();
        status = new AlertAnnotator(triage: triage).Annotate(alert, result, results, 720, EnrichedAt, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static int CountTopLevel(byte[] json, string name)
    {
        var count = 0;
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(name))
            {
                count++;
            }
        }

        return count;
    }
}
