using System.Collections;
using System.Reflection;
using IpEnrich.Core.Extraction;
using IpEnrich.Defender.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Deploy.Tests;

/// <summary>
/// docs/configuration.md names every key the worker binds, in its configuration (<c>Kafka:InputTopic</c>) and
/// environment-variable (<c>Kafka__InputTopic</c>) spellings, so the page cannot drift from the options classes.
/// The keys are those of <see cref="WorkerConfigurationKeys"/>, plus any options section the worker's assemblies
/// declare (a <c>SectionName</c> constant) that it does not list yet.
/// </summary>
public sealed class ConfigurationDocsTests
{
    private static readonly Lazy<string> Page = new(() => File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "configuration.md")));

    public static TheoryData<string> BoundKeys => [.. Keys()];

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
        // Guards the reflection below: an empty or tiny list would make the theory pass on nothing.
        var keys = Keys().ToList();
        Assert.True(keys.Count > 80, $"only {keys.Count} keys found");
        Assert.Contains("Kafka:InputTopic", keys);
        Assert.Contains("Defender:Resilience:MaxRetries", keys);
        Assert.Contains("Kafka:Settings:", keys);
        Assert.Contains("ShutdownTimeout", keys);
    }

    private static IEnumerable<string> Keys()
    {
        var sections = new Dictionary<string, Type>(Private<Dictionary<string, Type>>("Sections"), StringComparer.OrdinalIgnoreCase);
        foreach (var assembly in new[] { typeof(KafkaOptions).Assembly, typeof(DefenderOptions).Assembly, typeof(ExtractionOptions).Assembly })
        {
            foreach (var type in assembly.GetExportedTypes())
            {
                if (type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
                    && field.GetRawConstantValue() is string name)
                {
                    sections.TryAdd(name, type);
                }
            }
        }

        foreach (var (name, type) in sections.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            foreach (var key in Walk(type, name))
            {
                yield return key;
            }
        }

        foreach (var key in Private<string[]>("TopLevel"))
        {
            yield return key;
        }

        foreach (var prefix in Private<string[]>("TopLevelPrefixes"))
        {
            yield return prefix + "*";
        }
    }

    /// <summary>Keys of <paramref name="type"/> as the configuration binder binds them: settable scalars, collections, nested objects.</summary>
    private static IEnumerable<string> Walk(Type type, string prefix)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0))
        {
            var key = $"{prefix}:{property.Name}";
            var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (IsScalar(propertyType))
            {
                if (property.SetMethod is { IsPublic: true })
                {
                    yield return key; // get-only scalars (QuotaOptions.EffectivePerMinute) are computed, not bound
                }
            }
            else if (typeof(IEnumerable).IsAssignableFrom(propertyType))
            {
                yield return key + ":";
            }
            else
            {
                foreach (var nested in Walk(propertyType, key))
                {
                    yield return nested;
                }
            }
        }
    }

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(TimeSpan) || type == typeof(DateTimeOffset) || type == typeof(Uri);

    private static T Private<T>(string field) =>
        (T)(typeof(WorkerConfigurationKeys).GetField(field, BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null)
            ?? throw new InvalidOperationException($"WorkerConfigurationKeys.{field} not found: update this test with it"));
}
