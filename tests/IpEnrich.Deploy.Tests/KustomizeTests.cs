using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using IpEnrich.Testing;

namespace IpEnrich.Deploy.Tests;

/// <summary>deploy/k8s rendered by <c>kubectl kustomize</c>: what the worker needs to run safely, and only keys it knows.</summary>
[Trait("Category", "Integration")]
public sealed class KustomizeTests
{
    public static TheoryData<string> Overlays => ["dev", "prod"];

    private static async Task<IReadOnlyList<JsonObject>> RenderAsync(string overlay)
    {
        var info = new ProcessStartInfo("kubectl", ["kustomize", Path.Combine(RepoPaths.Root, "deploy", "k8s", "overlays", overlay)])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start (scripts/test.sh installs it)");
        var output = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var error = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        Assert.True(process.ExitCode == 0, await error);
        return [.. Yaml.LoadAll(await output).OfType<JsonObject>()];
    }

    private static JsonObject Worker(IReadOnlyList<JsonObject> documents) =>
        documents.Single(d => (string?)d["kind"] == "Deployment" && (string?)d["metadata"]!["name"] == "ipenrich");

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task The_worker_has_probes_on_its_health_endpoints(string overlay)
    {
        var container = Worker(await RenderAsync(overlay))["spec"]!["template"]!["spec"]!["containers"]![0]!;
        Assert.Equal("/health/live", (string?)container["livenessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/health/ready", (string?)container["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/health/live", (string?)container["startupProbe"]!["httpGet"]!["path"]);
        Assert.Equal(8080L, (long)container["ports"]![0]!["containerPort"]!);
        Assert.Contains(container["env"]!.AsArray(), e => (string?)e!["name"] == "ASPNETCORE_URLS" && ((string?)e["value"])!.EndsWith(":8080", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Every_pod_runs_non_root_read_only_without_capabilities(string overlay)
    {
        foreach (var deployment in (await RenderAsync(overlay)).Where(d => (string?)d["kind"] == "Deployment"))
        {
            var pod = deployment["spec"]!["template"]!["spec"]!;
            var name = (string?)deployment["metadata"]!["name"];
            Assert.True((bool?)pod["securityContext"]!["runAsNonRoot"], name);
            Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
            foreach (var container in pod["containers"]!.AsArray())
            {
                var security = container!["securityContext"]!;
                Assert.True((bool?)security["readOnlyRootFilesystem"], name);
                Assert.False((bool?)security["allowPrivilegeEscalation"], name);
                Assert.Equal("ALL", (string?)security["capabilities"]!["drop"]![0]);
                Assert.NotNull(container["resources"]!["requests"]!["cpu"]);
                Assert.NotNull(container["resources"]!["limits"]!["memory"]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Configuration_keys_are_ones_the_worker_knows(string overlay)
    {
        var documents = await RenderAsync(overlay);
        var worker = Worker(documents);
        var pod = worker["spec"]!["template"]!["spec"]!;
        var container = pod["containers"]![0]!;

        var envKeys = container["env"]!.AsArray().Select(e => (string)e!["name"]!).ToList();
        var settings = ConfigFile(documents, worker);
        var fileKeys = Yaml.ConfigurationKeys(settings).ToList();

        Assert.Contains("Kafka:InputTopic", fileKeys);
        Assert.Equal("alerts-updates", (string?)settings!["Enrichment"]!["UpdatesTopic"]); // late updates on by default, as in compose
        Assert.All(envKeys.Concat(fileKeys), k => Assert.True(WorkerConfigurationKeys.IsKnown(k), $"{overlay}: {k} is not a worker setting"));
        var shutdown = TimeSpan.Parse((string)settings!["ShutdownTimeout"]!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.True((long)pod["terminationGracePeriodSeconds"]! > shutdown.TotalSeconds);
    }

    [Theory]
    [MemberData(nameof(Overlays))]
    public async Task Each_replica_s_fallback_share_of_the_quota_follows_the_replica_count(string overlay)
    {
        // While Redis is unreachable every replica falls back to 1/Quota:ExpectedReplicas of the budget: with a
        // smaller N than there are replicas, a Redis blip lets them spend more than the whole budget at once.
        var documents = await RenderAsync(overlay);
        var worker = Worker(documents);
        var env = worker["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
        var fromFile = (long?)ConfigFile(documents, worker)!["Quota"]?["ExpectedReplicas"];
        var expected = env.TryGetValue("Quota__ExpectedReplicas", out var value) ? long.Parse(value!, System.Globalization.CultureInfo.InvariantCulture) : fromFile;

        Assert.Equal((long)worker["spec"]!["replicas"]!, expected);
    }

    /// <summary>The worker's appsettings.Production.json as its ConfigMap carries it.</summary>
    private static JsonNode? ConfigFile(IReadOnlyList<JsonObject> documents, JsonObject worker)
    {
        var pod = worker["spec"]!["template"]!["spec"]!;
        var configMapName = (string?)pod["volumes"]!.AsArray().Single(v => v!["configMap"] is not null)!["configMap"]!["name"];
        var configMap = documents.Single(d => (string?)d["kind"] == "ConfigMap" && (string?)d["metadata"]!["name"] == configMapName);
        return JsonNode.Parse((string)configMap["data"]!["appsettings.Production.json"]!);
    }

    [Fact]
    public async Task Dev_brings_the_emulator_and_redis_and_points_the_worker_at_them()
    {
        var documents = await RenderAsync("dev");
        var env = Worker(documents)["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray()
            .ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
        var services = documents.Where(d => (string?)d["kind"] == "Service").Select(d => (string)d["metadata"]!["name"]!).ToList();
        Assert.Contains("ipenrich-emulator", services);
        Assert.Contains("ipenrich-redis", services);
        Assert.Equal("https://ipenrich-emulator:8443", env["Defender__BaseUrl"]);
        Assert.Equal("ipenrich-redis:6379", env["Redis__ConnectionString"]);
    }

    [Fact]
    public async Task Prod_reads_credentials_from_a_secret_never_inline()
    {
        var env = Worker(await RenderAsync("prod"))["spec"]!["template"]!["spec"]!["containers"]![0]!["env"]!.AsArray();
        var secret = env.Single(e => (string?)e!["name"] == "Defender__ClientSecret")!;
        Assert.Null(secret["value"]);
        Assert.Equal("client-secret", (string?)secret["valueFrom"]!["secretKeyRef"]!["key"]);
        Assert.DoesNotContain(env, e => JsonSerializer.Serialize(e).Contains("password=", StringComparison.OrdinalIgnoreCase));
    }
}
