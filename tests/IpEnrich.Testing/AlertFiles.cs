using System.Text;
using System.Text.Json;

namespace IpEnrich.Testing;

/// <summary>Reads corpus-style folders: alert files (.json, one document; .ndjson, one per line) and expected-ips.json.</summary>
public static class AlertFiles
{
    public static IReadOnlyList<byte[]> ReadAlerts(string file)
    {
        var bytes = File.ReadAllBytes(file);
        if (!file.EndsWith(".ndjson", StringComparison.Ordinal))
        {
            return [bytes];
        }

        var alerts = new List<byte[]>();
        foreach (var line in Encoding.UTF8.GetString(bytes).Split('\n'))
        {
            if (!string.IsNullOrWhiteSpace(line))
            {
                alerts.Add(Encoding.UTF8.GetBytes(line.TrimEnd('\r')));
            }
        }

        return alerts;
    }

    /// <summary>
    /// Every alert file (.json or .ndjson, expected-ips.json aside) of the project's samples, then of ../shared/corpus
    /// when it is there, each folder in ordinal order.
    /// </summary>
    public static IReadOnlyList<string> SamplesAndCorpus()
    {
        var files = new List<string>();
        foreach (var folder in new[] { RepoPaths.Samples, RepoPaths.SharedCorpus })
        {
            if (folder is not null)
            {
                files.AddRange(Directory.GetFiles(folder)
                    .Where(f => (f.EndsWith(".json", StringComparison.Ordinal) && !f.EndsWith("expected-ips.json", StringComparison.Ordinal))
                        || f.EndsWith(".ndjson", StringComparison.Ordinal))
                    .Order(StringComparer.Ordinal));
            }
        }

        return files;
    }

    /// <summary>file name → (all, default) from expected-ips.json.</summary>
    public static IReadOnlyDictionary<string, (string[] All, string[] Default)> ReadExpected(string folder)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(folder, "expected-ips.json")));
        var map = new Dictionary<string, (string[], string[])>(StringComparer.Ordinal);
        foreach (var entry in doc.RootElement.EnumerateObject())
        {
            map[entry.Name] = (Strings(entry.Value.GetProperty("all")), Strings(entry.Value.GetProperty("default")));
        }

        return map;
    }

    private static string[] Strings(JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
