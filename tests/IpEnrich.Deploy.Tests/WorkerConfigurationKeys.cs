using System.Collections;
using System.Reflection;
using IpEnrich.Core.Extraction;
using IpEnrich.Defender.Options;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Pipeline;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;

namespace IpEnrich.Deploy.Tests;

/// <summary>
/// The configuration keys the worker binds, found by walking its options classes as the configuration binder does
/// (case-insensitive names, dictionaries take any key, lists take indexes). A deployment key outside them is a typo.
/// </summary>
public static class WorkerConfigurationKeys
{
    private static readonly Dictionary<string, Type> Sections = new(StringComparer.OrdinalIgnoreCase)
    {
        [KafkaOptions.SectionName] = typeof(KafkaOptions),
        [DefenderOptions.SectionName] = typeof(DefenderOptions),
        [QuotaOptions.SectionName] = typeof(QuotaOptions),
        [CacheOptions.SectionName] = typeof(CacheOptions),
        [RedisOptions.SectionName] = typeof(RedisOptions),
        [EnrichmentOptions.SectionName] = typeof(EnrichmentOptions),
        [ExtractionOptions.SectionName] = typeof(ExtractionOptions),
        [IpEnrich.Worker.Backlog.BacklogOptions.SectionName] = typeof(IpEnrich.Worker.Backlog.BacklogOptions),
        [BulkOptions.SectionName] = typeof(BulkOptions),
    };

    /// <summary>Top-level keys read outside the options classes (host, telemetry, Azure identity defaults).</summary>
    private static readonly string[] TopLevel = ["ShutdownTimeout", "ASPNETCORE_URLS", "DOTNET_gcServer", "DOTNET_GCHeapHardLimitPercent"];

    private static readonly string[] TopLevelPrefixes = ["OTEL_", "AZURE_", "Logging"];

    /// <summary>True when <paramref name="key"/> (<c>:</c> or <c>__</c> separated) is something the worker reads.</summary>
    public static bool IsKnown(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var parts = key.Replace("__", ":", StringComparison.Ordinal).Split(':');
        if (parts.Length == 1)
        {
            return TopLevel.Contains(parts[0], StringComparer.OrdinalIgnoreCase)
                || TopLevelPrefixes.Any(p => parts[0].StartsWith(p, StringComparison.OrdinalIgnoreCase));
        }

        if (parts[0].Equals("Logging", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return Sections.TryGetValue(parts[0], out var type) && IsKnown(type, parts.AsSpan(1));
    }

    private static bool IsKnown(Type type, ReadOnlySpan<string> path)
    {
        if (path.IsEmpty)
        {
            return true;
        }

        if (IsDictionary(type))
        {
            return path.Length == 1; // Kafka:Settings:<librdkafka key>
        }

        if (IsList(type, out var element))
        {
            return int.TryParse(path[0], out _) && IsKnown(element, path[1..]);
        }

        var property = type.GetProperty(path[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase);
        if (property is null)
        {
            return false;
        }

        var propertyType = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        return IsScalar(propertyType) ? path.Length == 1 : IsKnown(propertyType, path[1..]);
    }

    private static bool IsScalar(Type type) => type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal)
        || type == typeof(TimeSpan) || type == typeof(DateTimeOffset) || type == typeof(Uri);

    private static bool IsDictionary(Type type) => type.IsGenericType && type.GetGenericTypeDefinition() is var d
        && (d == typeof(IDictionary<,>) || d == typeof(Dictionary<,>));

    private static bool IsList(Type type, out Type element)
    {
        element = typeof(object);
        if (type == typeof(string) || !typeof(IEnumerable).IsAssignableFrom(type) || !type.IsGenericType)
        {
            return false;
        }

        element = type.GetGenericArguments()[0];
        return true;
    }
}
