using System.Text.Json.Nodes;

namespace IpEnrich.Deploy.Tests;

/// <summary>helm/ipenrich through the real helm: lint and render every supported shape, and check what a pod needs to run safely.</summary>
[Trait("Category", "Integration")]
public sealed class HelmTemplateTests
{
    [Theory]
    [MemberData(nameof(HelmValueSets.Names), MemberType = typeof(HelmValueSets))]
    public async Task Helm_lint_strict_passes(string valueSet)
    {
        var result = await Helm.LintAsync(HelmValueSets.All[valueSet]);
        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("0 chart(s) failed", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(HelmValueSets.Names), MemberType = typeof(HelmValueSets))]
    public async Task Every_workload_has_probes_non_root_read_only_containers_and_resources(string valueSet)
    {
        var manifests = await Helm.TemplateAsync(HelmValueSets.All[valueSet]);
        var deployments = manifests.OfKind("Deployment").ToList();
        Assert.NotEmpty(deployments);
        foreach (var deployment in deployments)
        {
            var name = (string?)deployment["metadata"]!["name"];
            var pod = deployment["spec"]!["template"]!["spec"]!;
            Assert.True((bool?)pod["securityContext"]!["runAsNonRoot"], name);
            Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
            foreach (var container in pod["containers"]!.AsArray().Select(c => c!))
            {
                var security = container["securityContext"]!;
                Assert.True((bool?)security["readOnlyRootFilesystem"], name);
                Assert.False((bool?)security["allowPrivilegeEscalation"], name);
                Assert.Equal("ALL", (string?)security["capabilities"]!["drop"]![0]);
                Assert.NotNull(container["resources"]!["requests"]!["cpu"]);
                Assert.NotNull(container["resources"]!["requests"]!["memory"]);
                Assert.NotNull(container["resources"]!["limits"]!["memory"]);
                Assert.NotNull(container["readinessProbe"]);
            }
        }

        var worker = manifests.WorkerContainer;
        Assert.Equal("/health/live", (string?)worker["startupProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/health/live", (string?)worker["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/health/ready", (string?)worker["readinessProbe"]!["httpGet"]!["path"]);
    }

    [Theory]
    [MemberData(nameof(HelmValueSets.Names), MemberType = typeof(HelmValueSets))]
    public async Task The_pod_template_carries_checksums_of_its_config_and_secret(string valueSet)
    {
        var annotations = (await Helm.TemplateAsync(HelmValueSets.All[valueSet])).WorkerPod["metadata"]!["annotations"]!;
        Assert.Matches("^[0-9a-f]{64}$", (string?)annotations["checksum/config"]);
        Assert.Matches("^[0-9a-f]{64}$", (string?)annotations["checksum/secret"]);
    }

    [Theory]
    [MemberData(nameof(HelmValueSets.Names), MemberType = typeof(HelmValueSets))]
    public async Task No_manifest_has_an_empty_field(string valueSet)
    {
        static IEnumerable<string> Nulls(JsonNode? node, string path) => node switch
        {
            null => [path],
            JsonObject obj => obj.SelectMany(kv => Nulls(kv.Value, $"{path}.{kv.Key}")),
            JsonArray array => array.SelectMany((item, i) => Nulls(item, $"{path}[{i}]")),
            _ => [],
        };

        var manifests = await Helm.TemplateAsync(HelmValueSets.All[valueSet]);
        Assert.Empty(manifests.Objects.SelectMany(o => Nulls(o, $"{o["kind"]}/{o["metadata"]!["name"]}")));
    }

    [Fact]
    public async Task A_config_or_secret_change_changes_its_checksum_and_only_its_own()
    {
        static async Task<(string? Config, string? Secret)> ChecksumsAsync(params string[] sets)
        {
            var annotations = (await Helm.TemplateAsync(sets)).WorkerPod["metadata"]!["annotations"]!;
            return ((string?)annotations["checksum/config"], (string?)annotations["checksum/secret"]);
        }

        var before = await ChecksumsAsync("defender.clientSecret=one");
        var configChanged = await ChecksumsAsync("defender.clientSecret=one", "config.Kafka.InputTopic=other");
        var secretChanged = await ChecksumsAsync("defender.clientSecret=two");
        Assert.NotEqual(before.Config, configChanged.Config);
        Assert.Equal(before.Secret, configChanged.Secret);
        Assert.NotEqual(before.Secret, secretChanged.Secret);
        Assert.Equal(before.Config, secretChanged.Config);
    }

    [Fact]
    public async Task The_configmap_holds_the_config_values_as_the_workers_production_settings()
    {
        var configMap = (await Helm.TemplateAsync("config.Kafka.InputTopic=from-helm")).One("ConfigMap");
        var settings = JsonNode.Parse((string)configMap["data"]!["appsettings.Production.json"]!)!;
        Assert.Equal("from-helm", (string?)settings["Kafka"]!["InputTopic"]);
        Assert.All(Yaml.ConfigurationKeys(settings), k => Assert.True(WorkerConfigurationKeys.IsKnown(k), k));
    }

    [Theory]
    [InlineData("replicaCount=two")]
    [InlineData("securityContext.allowPrivilegeEscalation=true")]
    [InlineData("podSecurityContext.runAsNonRoot=false")]
    [InlineData("unknownTopLevel=1")]
    [InlineData("config.Enrichment.MaxWait=2 sec")]
    [InlineData("config.Kafka.DeadLetterTopic=")]
    [InlineData("prometheusRule.enabled=yes")]
    public async Task Helm_rejects_values_the_schema_forbids(string set)
    {
        var result = await Helm.TemplateRawAsync([set]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("values don't meet the specifications of the schema", result.Error, StringComparison.Ordinal);
    }
}
