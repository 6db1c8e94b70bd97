using IpEnrich.Testing;

namespace IpEnrich.Benchmarks.Core;

/// <summary>The benchmark input: every alert of the project's samples and of ../shared/corpus when present.</summary>
public static class AlertMix
{
    private static readonly Lazy<byte[][]> Alerts = new(Load);

    public static byte[][] Get() => Alerts.Value;

    public static double AverageBytes => Get().Average(a => a.Length);

    private static byte[][] Load() => [.. AlertFiles.SamplesAndCorpus().SelectMany(AlertFiles.ReadAlerts)];
}
