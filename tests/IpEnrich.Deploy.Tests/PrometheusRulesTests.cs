using System.Text.Json.Nodes;
using IpEnrich.Testing;

namespace IpEnrich.Deploy.Tests;

/// <summary>
/// deploy/prometheus/ipenrich-rules.yaml: valid for the real promtool, each rule unit-tested, the chart's
/// PrometheusRule carrying the very same rules.
/// </summary>
[Trait("Category", "Integration")]
public sealed class PrometheusRulesTests
{
    private static readonly string Directory = Path.Combine(RepoPaths.Root, "deploy", "prometheus");
    public static readonly string Rules = Path.Combine(Directory, "ipenrich-rules.yaml");

    /// <summary>Every rule of the rules file (all are alerts).</summary>
    public static IEnumerable<JsonNode> AllRules() =>
        Yaml.Load(File.ReadAllText(Rules))!["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!);

    [Fact]
    public async Task Promtool_check_rules_passes()
    {
        var result = await Tool.RunAsync("promtool", ["check", "rules", Rules], ct: TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Promtool_test_rules_passes()
    {
        var result = await Tool.RunAsync("promtool", ["test", "rules", Path.Combine(Directory, "ipenrich-rules.test.yaml")], ct: TestContext.Current.CancellationToken);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("SUCCESS", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_alert_fires_in_a_unit_test()
    {
        var tests = Yaml.Load(File.ReadAllText(Path.Combine(Directory, "ipenrich-rules.test.yaml")))!;
        var firing = tests["tests"]!.AsArray()
            .SelectMany(t => t!["alert_rule_test"]!.AsArray())
            .Where(a => a!["exp_alerts"]!.AsArray().Count > 0)
            .Select(a => (string)a!["alertname"]!)
            .ToHashSet();
        var alerts = AllRules().Select(r => (string)r["alert"]!).ToList();
        Assert.True(alerts.Count >= 6, $"only {alerts.Count} alerts");
        Assert.All(alerts, alert => Assert.Contains(alert, firing));
    }

    [Fact]
    public void The_charts_copy_of_the_rules_is_identical()
    {
        var copy = Path.Combine(Helm.Chart, "files", "ipenrich-rules.yaml");
        Assert.True(File.ReadAllText(Rules) == File.ReadAllText(copy), $"{copy} differs from {Rules}: copy it over");
    }

    [Fact]
    public async Task The_chart_renders_the_rules_as_a_prometheus_rule_promtool_accepts()
    {
        var rule = (await Helm.TemplateAsync("prometheusRule.enabled=true", "prometheusRule.labels.release=kps")).One("PrometheusRule");
        Assert.Equal("monitoring.coreos.com/v1", (string?)rule["apiVersion"]);
        Assert.Equal("kps", (string?)rule["metadata"]!["labels"]!["release"]);
        Assert.True(JsonNode.DeepEquals(Yaml.Load(File.ReadAllText(Rules)), rule["spec"]), "the rendered spec differs from the rules file");

        var file = TempFiles.Write(rule["spec"]!.ToJsonString(), ".yaml"); // JSON is YAML: promtool reads what the operator would get
        try
        {
            var result = await Tool.RunAsync("promtool", ["check", "rules", file], ct: TestContext.Current.CancellationToken);
            Assert.True(result.ExitCode == 0, result.ToString());
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task No_prometheus_rule_unless_enabled()
    {
        Assert.Empty((await Helm.TemplateAsync()).OfKind("PrometheusRule"));
    }
}
