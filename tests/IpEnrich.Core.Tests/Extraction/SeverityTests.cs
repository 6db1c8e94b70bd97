using System.Text;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Testing;

namespace IpEnrich.Core.Tests.Extraction;

/// <summary>The alert's severity, read from the default paths of each format, sets its lookup priority.</summary>
public sealed class SeverityTests
{
    private static AlertPriority? Declared(string json, ExtractionOptions? options = null)
    {
        var result = new AlertExtraction();
        Assert.True(new AlertExtractor(options ?? new ExtractionOptions()).TryExtract(Encoding.UTF8.GetBytes(json), result, out _));
        return result.DeclaredPriority;
    }

    [Theory]
    [InlineData("""{"severity":"High","title":"x"}""", AlertPriority.High)]                          // Defender for Endpoint
    [InlineData("""{"severity":"medium"}""", AlertPriority.Normal)]                                    // Graph alerts_v2
    [InlineData("""{"severity":"informational"}""", AlertPriority.Low)]
    [InlineData("""{"AlertSeverity":"High"}""", AlertPriority.High)]                                   // Sentinel
    [InlineData("""{"properties":{"severity":"Low"}}""", AlertPriority.Low)]                           // Defender for Cloud
    [InlineData("""{"Severity":{"Label":"CRITICAL","Normalized":90}}""", AlertPriority.Critical)]      // Security Hub
    [InlineData("""{"alert":{"severity":1}}""", AlertPriority.High)]                                   // Suricata
    [InlineData("""{"alert":{"severity":3}}""", AlertPriority.Low)]
    [InlineData("""{"event":{"severity":73}}""", AlertPriority.High)]                                  // ECS
    [InlineData("""{"kibana.alert.severity":"critical"}""", AlertPriority.Critical)]                   // Elastic Security
    [InlineData("""{"severity_id":5,"severity":"Critical"}""", AlertPriority.Critical)]                // OCSF
    [InlineData("""{"severity_id":2}""", AlertPriority.Low)]
    [InlineData("""{"rule":{"level":12}}""", AlertPriority.Critical)]                                  // Wazuh
    [InlineData("""{"rule":{"level":5}}""", AlertPriority.Normal)]
    [InlineData("""{"severity":8.0,"type":"UnauthorizedAccess:EC2/RDPBruteForce"}""", AlertPriority.High)] // GuardDuty
    [InlineData("""{"severity":"\u0048igh"}""", AlertPriority.High)]                                 // escaped text
    [InlineData("""{"severity":"  MEDIUM\t"}""", AlertPriority.Normal)]
    [InlineData("""{"severity":" 7 "}""", AlertPriority.High)]                                         // a number as text
    [InlineData("""{"severity":".5"}""", AlertPriority.Low)]                                           // numbers as text start with
    [InlineData("""{"alert":{"severity":"+1"}}""", AlertPriority.High)]                                // a digit, a sign or a point
    [InlineData("""{"severity":"Élevé (high)"}""", AlertPriority.High)]                               // not ASCII
    [InlineData("""{"severity":"                                                                      low"}""", AlertPriority.Low)]
    public void Default_paths_per_format(string json, AlertPriority expected) => Assert.Equal(expected, Declared(json));

    [Theory]
    [InlineData("""{"title":"no severity"}""")]
    [InlineData("""{"nested":{"severity":"High"}}""")]
    [InlineData("""{"severity":"unknown-word"}""")]
    public void No_stated_severity_is_normal(string json)
    {
        Assert.Null(Declared(json));
        var result = new AlertExtraction();
        new AlertExtractor(new ExtractionOptions()).TryExtract(Encoding.UTF8.GetBytes(json), result, out _);
        Assert.Equal(AlertPriority.Normal, result.Priority);
    }

    [Fact]
    public void Configured_paths_replace_the_defaults()
    {
        var options = new ExtractionOptions();
        options.SeverityPaths.Add("$.meta.risk=ecs");
        Assert.Equal(AlertPriority.Critical, Declared("""{"meta":{"risk":99},"severity":"Low"}""", options));
        var bad = new ExtractionOptions();
        bad.SeverityPaths.Add("$.x=stars");
        Assert.StartsWith("Extraction:SeverityPaths: '$.x=stars' has unknown scale 'stars'", Assert.Throws<ArgumentException>(() => new AlertExtractor(bad)).Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"severitz":"High","severity":"Low"}""", AlertPriority.Low)]           // a name of the leaf's length that is not it
    [InlineData("""{"sev\u0065rity":"High"}""", AlertPriority.High)]                          // an escaped name
    [InlineData("""{"x":[{"severity":"High"}],"severity":"Low"}""", AlertPriority.Low)]   // an array's elements are not the top level
    public void Only_the_leaf_name_itself_matches(string json, AlertPriority expected) => Assert.Equal(expected, Declared(json));

    [Fact]
    public void Leaf_names_of_any_length_match()
    {
        var longName = new string('r', 70);
        var options = new ExtractionOptions();
        options.SeverityPaths.Add($"$.{longName}=text");
        options.SeverityPaths.Add("$['']=text");
        Assert.Equal(AlertPriority.High, Declared($$"""{"{{new string('r', 64)}}":"Low","{{longName}}":"High"}""", options));
        Assert.Equal(AlertPriority.Critical, Declared("""{"":"critical"}""", options));
    }

    [Fact]
    public void A_rule_ending_in_any_name_matches_the_values_under_every_name()
    {
        var options = new ExtractionOptions();
        options.SeverityPaths.Add("$.risk.*=ecs");
        options.SeverityPaths.Add("$.severity=text");
        Assert.Equal(AlertPriority.High, Declared("""{"title":"x","risk":{"score":50},"severity":"Low"}""", options));
        Assert.Equal(AlertPriority.Low, Declared("""{"risk":[],"severity":"Low","score":99}""", options));
    }

    [Fact]
    public void Values_in_an_array_under_the_leaf_name_match_an_indexed_rule()
    {
        var options = new ExtractionOptions();
        options.SeverityPaths.Add("$.levels[1]=wazuh");
        Assert.Equal(AlertPriority.Critical, Declared("""{"levels":[3,12,1]}""", options));
    }

    [Fact]
    public void Own_samples_state_their_severity()
    {
        var expected = new Dictionary<string, AlertPriority?>
        {
            ["defender_endpoint_alert.json"] = AlertPriority.High,
            ["graph_alerts_v2_alert.json"] = AlertPriority.Normal,
            ["sentinel_securityalert_row.json"] = AlertPriority.High,
        };
        foreach (var (file, priority) in expected)
        {
            Assert.Equal(priority, Declared(File.ReadAllText(Path.Combine(RepoPaths.Samples, file))));
        }
    }
}
