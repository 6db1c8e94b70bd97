using IpEnrich.Testing;

namespace IpEnrich.Benchmarks.Core;

/// <summary>The benchmark input: every alert of the project's samples and of ../shared/corpus when present.</summary>
public static class AlertMix
{
    private static readonly Lazy<byte[][]> Alerts = new(Load);

    public static byte[][] Get() => Alerts.Value;

    public static double AverageBytes => Get().Average(a => a.Length);

    private static byte[][] Load()
    {
        var alerts = new List<byte[]>();
        foreach (var folder in new[] { RepoPaths.Samples, RepoPaths.SharedCorpus })
        {
            if (folder is null)
            {
                continue;
            }

            foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                if ((file.EndsWith(".json", StringComparison.Ordinal) || file.EndsWith(".ndjson", StringComparison.Ordinal))
                    && !file.EndsWith("expected-ips.json", StringComparison.Ordinal))
                {
                    alerts.AddRange(AlertFiles.ReadAlerts(file));
                }
            }
        }

        return [.. alerts];
    }
}
