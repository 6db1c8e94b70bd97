using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IpEnrich.Testing;
using NJsonSchema;

namespace IpEnrich.Deploy.Tests;

/// <summary>helm/ipenrich without helm: values against the schema, template references against values, values against the worker.</summary>
public sealed partial class HelmChartTests
{
    private static readonly string Chart = Path.Combine(RepoPaths.Root, "helm", "ipenrich");

    private static JsonNode Values() => Yaml.Load(File.ReadAllText(Path.Combine(Chart, "values.yaml")))!;

    private static async Task<JsonSchema> SchemaAsync() => await JsonSchema.FromJsonAsync(await File.ReadAllTextAsync(Path.Combine(Chart, "values.schema.json")));

    [Fact]
    public async Task Values_yaml_validates_against_values_schema_json()
    {
        var errors = (await SchemaAsync()).Validate(Values().ToJsonString());
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));
    }

    [Theory]
    [InlineData("replicaCount", "\"two\"")]
    [InlineData("image", "{\"tag\":\"x\"}")]
    [InlineData("securityContext", "{\"allowPrivilegeEscalation\":true}")]
    [InlineData("config", "{\"Kafka\":{\"BootstrapServers\":\"k:9092\",\"InputTopic\":\"a\",\"OutputTopic\":\"b\",\"DeadLetterTopic\":\"\"}}")]
    [InlineData("config", "{\"Kafka\":{\"BootstrapServers\":\"k:9092\",\"InputTopic\":\"a\",\"OutputTopic\":\"b\",\"DeadLetterTopic\":\"c\"},\"Enrichment\":{\"MaxWait\":\"2 sec\"}}")]
    [InlineData("unknownTopLevel", "1")]
    public async Task The_schema_rejects_bad_values(string key, string json)
    {
        var values = Values().AsObject();
        values[key] = JsonNode.Parse(json);
        Assert.NotEmpty((await SchemaAsync()).Validate(values.ToJsonString()));
    }

    [Fact]
    public async Task The_schema_accepts_durations_in_either_form()
    {
        var values = Values().AsObject();
        values["config"]!["Enrichment"]!["MaxWait"] = "2s";
        values["config"]!["Cache"]!["FoundTtl"] = "6h";
        values["config"]!["ShutdownTimeout"] = "00:00:30";
        var errors = (await SchemaAsync()).Validate(values.ToJsonString());
        Assert.True(errors.Count == 0, string.Join("\n", errors.Select(e => $"{e.Path}: {e.Kind}")));

        values["config"]!["Cache"]!["FoundTtl"] = "5"; // the worker refuses a bare number
        Assert.NotEmpty((await SchemaAsync()).Validate(values.ToJsonString()));
    }

    [Fact]
    public void Every_value_a_template_references_exists_in_values_yaml()
    {
        var values = Values();
        var missing = new List<string>();
        foreach (var template in Directory.EnumerateFiles(Path.Combine(Chart, "templates")))
        {
            foreach (Match match in ValuesReference().Matches(File.ReadAllText(template)))
            {
                var path = match.Groups[1].Value.Split('.', StringSplitOptions.RemoveEmptyEntries);
                JsonNode? node = values;
                foreach (var part in path)
                {
                    node = node is JsonObject obj && obj.TryGetPropertyValue(part, out var child) ? child ?? JsonValue.Create(string.Empty) : null;
                }

                if (node is null)
                {
                    missing.Add($"{Path.GetFileName(template)}: .Values.{match.Groups[1].Value}");
                }
            }
        }

        Assert.True(missing.Count == 0, string.Join("\n", missing.Distinct()));
        Assert.NotEmpty(ValuesReference().Matches(File.ReadAllText(Path.Combine(Chart, "templates", "deployment.yaml"))));
    }

    [Fact]
    public void Every_configuration_key_in_values_is_a_worker_option()
    {
        var keys = Yaml.ConfigurationKeys(Values()["config"]).ToList();
        Assert.Contains("Kafka:InputTopic", keys);
        Assert.All(keys, k => Assert.True(WorkerConfigurationKeys.IsKnown(k), $"config.{k.Replace(':', '.')} is not a worker setting"));
    }

    [Fact]
    public void Late_updates_go_to_their_own_topic_by_default()
    {
        var config = Values()["config"]!;
        Assert.Equal("alerts-updates", config["Enrichment"]!["UpdatesTopic"]!.GetValue<string>());
        Assert.DoesNotContain("alerts-updates", new[] { "InputTopic", "OutputTopic", "DeadLetterTopic" }.Select(t => config["Kafka"]![t]!.GetValue<string>()));
    }

    [Fact]
    public void Termination_grace_outlasts_the_shutdown_drain()
    {
        var values = Values();
        Assert.True(IpEnrich.Core.Configuration.Duration.TryParse(values["config"]!["ShutdownTimeout"]!.GetValue<string>(), out var shutdown));
        Assert.True(values["terminationGracePeriodSeconds"]!.GetValue<long>() > shutdown.TotalSeconds);
    }

    [Fact]
    public void Chart_yaml_is_a_v2_application_chart()
    {
        var chart = Yaml.Load(File.ReadAllText(Path.Combine(Chart, "Chart.yaml")))!;
        Assert.Equal("v2", chart["apiVersion"]!.GetValue<string>());
        Assert.Equal("ipenrich", chart["name"]!.GetValue<string>());
        Assert.Matches(@"^\d+\.\d+\.\d+", chart["version"]!.GetValue<string>());
        Assert.True(File.Exists(Path.Combine(Chart, "templates", "NOTES.txt")));
    }

    [GeneratedRegex(@"\.Values((?:\.[A-Za-z0-9_]+)+)")]
    private static partial Regex ValuesReference();
}
