using System.Globalization;

namespace IpEnrich.Benchmarks.Load;

/// <summary>Counters from one Prometheus scrape of a worker's <c>/metrics</c>: a series' value summed over label sets.</summary>
internal sealed class ScrapedCounters(string text)
{
    public static async Task<ScrapedCounters> ScrapeAsync(HttpClient http) =>
        new(await http.GetStringAsync(new Uri("/metrics", UriKind.Relative)));

    /// <summary>The sum of <paramref name="name"/> over the label sets that contain <paramref name="label"/> (all when null); 0 when absent.</summary>
    public double Sum(string name, string? label = null)
    {
        var sum = 0.0;
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name, StringComparison.Ordinal) || line.Length == name.Length || (line[name.Length] != '{' && line[name.Length] != ' '))
            {
                continue;
            }

            var labelsEnd = line[name.Length] == '{' ? line.IndexOf('}', name.Length) : name.Length;
            if (label is not null && !line.AsSpan(name.Length, labelsEnd - name.Length).Contains(label, StringComparison.Ordinal))
            {
                continue;
            }

            sum += double.Parse(line[(labelsEnd + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        }

        return sum;
    }
}
