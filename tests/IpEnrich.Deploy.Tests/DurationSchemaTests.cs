using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IpEnrich.Core.Configuration;
using IpEnrich.Testing;

namespace IpEnrich.Deploy.Tests;

/// <summary>
/// The chart's one duration definition accepts what the worker's <see cref="Duration"/> parser accepts, so helm refuses
/// no value the worker would take and passes none it would refuse. Magnitude (TimeSpan's limits) is left to the
/// worker's range checks, which name the key.
/// </summary>
public sealed class DurationSchemaTests
{
    private static readonly JsonNode Schema = JsonNode.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "helm", "ipenrich", "values.schema.json")))!;

    private static Regex Pattern() => new(Schema["definitions"]!["duration"]!["pattern"]!.GetValue<string>(), RegexOptions.ECMAScript);

    public static TheoryData<string> Cases() =>
    [
        // The documented forms.
        "500ms", "2s", "1m", "6h", "7d", "00:00:02", "00:06:00", "1.00:00:00", "7.00:00:00",
        // The suffix form's edges: decimals, a sign, space before the unit.
        "1.5h", "0.5s", ".5s", "2.s", "+2s", "-2s", "2 s", "6 h", " 2s ", "0ms",
        // The TimeSpan form's edges.
        "00:06", "1:2:3", "23:59:59", "00:60:00", "00:00:60", "-00:00:05", "1.02:03", "1:02:03:04",
        "00:00:00.5", "00:00:00.1234567", "00:00:00.12345678", "000:06:00", "1.24:00:00", " 00:00:02 ", "- 00:00:05",
        // TimeSpan reads N:hh:mm with N above 23 as days (24:00:00 is 24 days): both refuse it.
        "24:00:00", "99:05:30", "24:30:00", "24:00", "24:00:00.5", "00024:00:00", "0023:00:00",
        // What neither takes.
        "", " ", "5", "2", "banana", "2sec", "2S", "2 sec", "ms", "s", "1h30m", "2,5s", "1e3ms", "2 s s", "2d 3h",
        "00:00:02s", ":00:00", "00::00", "00:00:", "1.", "--2s", "2s.",
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void The_schema_pattern_accepts_what_the_worker_parses(string text)
    {
        var worker = Duration.TryParse(text, out _);
        var schema = Pattern().IsMatch(text);
        Assert.True(worker == schema, $"\"{text}\": the worker {(worker ? "accepts" : "refuses")} it, the schema {(schema ? "accepts" : "refuses")} it");
    }

    [Fact]
    public void The_table_covers_both_answers_and_the_documented_forms()
    {
        var accepted = Cases().Select(c => (string)c.Data).Where(t => Duration.TryParse(t, out _)).ToList();
        Assert.Contains("500ms", accepted);
        Assert.Contains("7d", accepted);
        Assert.Contains("1.00:00:00", accepted);
        Assert.DoesNotContain("5", accepted);
        Assert.True(accepted.Count > 10 && Cases().Count - accepted.Count > 10);
    }

    [Fact]
    public void Every_duration_setting_in_the_schema_uses_the_one_definition()
    {
        var config = Schema["properties"]!["config"]!["properties"]!;
        string[] durations =
        [
            "Kafka.TransactionCommitInterval", "Kafka.DrainTimeout", "Enrichment.MaxWait", "ShutdownTimeout",
            "Cache.FoundTtl", "Cache.NotSeenTtl", "Cache.InvalidTtl", "Cache.MaxStale", "Cache.L1Ttl",
        ];
        foreach (var key in durations)
        {
            var node = key.Split('.') is [var section, var name] ? config[section]!["properties"]![name] : config[key];
            Assert.True(node?["$ref"]?.GetValue<string>() == "#/definitions/duration", $"config.{key} does not use #/definitions/duration");
        }

        // No second, diverging copy of a duration pattern elsewhere in the file.
        Assert.Single(Regex.Matches(Schema.ToJsonString(), "\"pattern\""));
    }
}
