using IpEnrich.Testing;

namespace IpEnrich.Deploy.Tests;

/// <summary>
/// docs/configuration.md names every key the worker binds, in its configuration (<c>Kafka:InputTopic</c>) and
/// environment-variable (<c>Kafka__InputTopic</c>) spellings, so the page cannot drift from the options classes.
/// The keys are those of <see cref="WorkerConfigurationKeys"/>.
/// </summary>
public sealed class ConfigurationDocsTests
{
    private static readonly Lazy<string> Page = new(() => File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "configuration.md")));

    public static TheoryData<string> BoundKeys => [.. WorkerConfigurationKeys.All()];

    [Theory]
    [MemberData(nameof(BoundKeys))]
    public void Every_key_the_worker_binds_is_documented(string key)
    {
        // A list or dictionary key ends in ':', the page naming its entries (Extraction:KnownPaths:N, Kafka:Settings:<key>);
        // a top-level prefix ends in '*' (OTEL_*: OTEL_EXPORTER_OTLP_ENDPOINT).
        var open = key.EndsWith(':') || key.EndsWith('*');
        var name = key.TrimEnd('*');
        var environment = name.Replace(":", "__", StringComparison.Ordinal);
        var (config, env) = open ? ($"`{name}", $"`{environment}") : ($"`{name}`", $"`{environment}`");
        Assert.True(Page.Value.Contains(config, StringComparison.Ordinal), $"docs/configuration.md does not name {config}");
        Assert.True(Page.Value.Contains(env, StringComparison.Ordinal), $"docs/configuration.md does not name {env}");
    }

    [Fact]
    public void The_keys_are_found()
    {
        // Guards the discovery: an empty or tiny list would make the theory pass on nothing.
        var keys = WorkerConfigurationKeys.All().ToList();
        Assert.True(keys.Count > 80, $"only {keys.Count} keys found");
        Assert.Contains("Kafka:InputTopic", keys);
        Assert.Contains("Defender:Resilience:MaxRetries", keys);
        Assert.Contains("Kafka:Settings:", keys);
        Assert.Contains("ShutdownTimeout", keys);
        Assert.Contains("Triage:RareAtMost", keys);
    }
}
