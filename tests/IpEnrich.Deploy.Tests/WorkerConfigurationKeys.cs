using System.Collections;
using System.Reflection;
using IpEnrich.Core.Extraction;
using IpEnrich.Defender.Options;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Deploy.Tests;

/// <summary>
/// The configuration keys the worker binds, found by walking its options classes as the configuration binder does
/// (case-insensitive names, dictionaries take any key, lists take indexes). A deployment key outside them is a typo.
/// </summary>
public static class WorkerConfigurationKeys
{
    // Every options class of the worker's assemblies that names its section (a SectionName constant).
    private static readonly Dictionary<string, Type> Sections = new[] { typeof(KafkaOptions), typeof(DefenderOptions), typeof(ExtractionOptions) }
        .SelectMany(type => type.Assembly.GetExportedTypes())
        .Select(type => (Type: type, Field: type.GetField("SectionName", BindingFlags.Public | BindingFlags.Static)))
        .Where(t => t.Field is { IsLiteral: true } && t.Field.GetRawConstantValue() is string)
        .ToDictionary(t => (string)t.Field!.GetRawConstantValue()!, t => t.Type, StringComparer.OrdinalIgnoreCase);

    /// <summary>Top-level keys read outside the options classes (host, telemetry, Azure identity defaults).</summary>
    private static readonly string[] TopLevel = ["ShutdownTimeout", "ASPNETCORE_URLS", "DOTNET_gcServer", "DOTNET_GCHeapHardLimitPercent", "DOTNET_GCgen0size"];

    private static readonly string[] TopLevelPrefixes = ["OTEL_", "AZURE_", "Logging"];

    /// <summary>
    /// Every key, as the binder binds them: settable scalars, and collections as <c>Section:Key:</c> (entries follow);
    /// top-level prefixes as <c>OTEL_*</c>.
    /// </summary>
    public static IEnumerable<string> All()
    {
        foreach (var (name, type) in Sections.OrderBy(s => s.Key, StringComparer.Ordinal))
        {
            foreach (var key in Walk(type, name))
            {
                yield return key;
            }
        }

        foreach (var key in TopLevel)
        {
            yield return key;
        }

        foreach (var prefix in TopLevelPrefixes)
        {
            yield return prefix + "*";
        }
    }

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
        // Get-only scalars (QuotaOptions.EffectivePerMinute) are computed, not bound.
        return IsScalar(propertyType) ? path.Length == 1 && property.SetMethod is { IsPublic: true } : IsKnown(propertyType, path[1..]);
    }

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
                    yield return key;
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
