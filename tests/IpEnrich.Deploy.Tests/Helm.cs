using System.Text.Json.Nodes;
using IpEnrich.Testing;

namespace IpEnrich.Deploy.Tests;

/// <summary>The real <c>helm</c> (v3, on PATH) run on helm/ipenrich with <c>--set</c> values; fails the test when helm is missing.</summary>
public static class Helm
{
    public static readonly string Chart = Path.Combine(RepoPaths.Root, "helm", "ipenrich");

    /// <summary><c>helm lint --strict</c>, exit code and output.</summary>
    public static Task<ToolResult> LintAsync(IEnumerable<string> sets) =>
        Tool.RunAsync("helm", ["lint", "--strict", Chart, .. SetArguments(sets)], ct: TestContext.Current.CancellationToken);

    /// <summary><c>helm template</c>, exit code and output (the manifests, or helm's refusal on stderr).</summary>
    public static Task<ToolResult> TemplateRawAsync(IEnumerable<string> sets) =>
        Tool.RunAsync("helm", ["template", "rel", Chart, "--namespace", "ipenrich", .. SetArguments(sets)], ct: TestContext.Current.CancellationToken);

    /// <summary>The rendered manifests of a release named <c>rel</c>; fails the test if helm refuses the values.</summary>
    public static async Task<Manifests> TemplateAsync(params string[] sets)
    {
        var result = await TemplateRawAsync(sets);
        Assert.True(result.ExitCode == 0, $"helm template {string.Join(' ', sets)} failed: {result}");
        return new Manifests([.. Yaml.LoadAll(result.Output).OfType<JsonObject>()]);
    }

    private static IEnumerable<string> SetArguments(IEnumerable<string> sets) => sets.SelectMany(s => new[] { "--set", s });
}

/// <summary>Rendered Kubernetes objects, looked up by kind and name.</summary>
public sealed record Manifests(IReadOnlyList<JsonObject> Objects)
{
    public IEnumerable<JsonObject> OfKind(string kind) => Objects.Where(o => (string?)o["kind"] == kind);

    public JsonObject One(string kind, string name = "rel-ipenrich") =>
        Assert.Single(OfKind(kind), o => (string?)o["metadata"]!["name"] == name);

    /// <summary>The worker Deployment's pod template.</summary>
    public JsonObject WorkerPod => One("Deployment")["spec"]!["template"]!.AsObject();

    public JsonObject WorkerContainer => WorkerPod["spec"]!["containers"]!.AsArray().Single(c => (string?)c!["name"] == "worker")!.AsObject();

    /// <summary>The worker's environment variables by name (value, or null when read from a secret).</summary>
    public Dictionary<string, string?> WorkerEnv =>
        WorkerContainer["env"]!.AsArray().ToDictionary(e => (string)e!["name"]!, e => (string?)e!["value"]);
}
