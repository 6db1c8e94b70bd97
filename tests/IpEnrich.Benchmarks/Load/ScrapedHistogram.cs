using System.Globalization;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// One histogram from a Prometheus scrape (cumulative bucket counts by upper bound, summed over label sets), and its
/// quantiles computed as PromQL's <c>histogram_quantile</c> does — what the worker's dashboard shows.
/// </summary>
internal sealed class ScrapedHistogram
{
    private readonly SortedDictionary<double, double> _cumulative;

    private ScrapedHistogram(SortedDictionary<double, double> cumulative) => _cumulative = cumulative;

    public double Count => _cumulative.Count == 0 ? 0 : _cumulative.Values.Last();

    public static async Task<ScrapedHistogram> ScrapeAsync(HttpClient http, string name)
    {
        var text = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        var cumulative = new SortedDictionary<double, double>();
        foreach (var line in text.Split('\n'))
        {
            if (!line.StartsWith(name + "_bucket{", StringComparison.Ordinal))
            {
                continue;
            }

            var le = line.IndexOf("le=\"", StringComparison.Ordinal) + 4;
            var bound = line[le..line.IndexOf('"', le)];
            var value = line[(line.IndexOf('}', le) + 1)..].Trim().Split(' ')[0];
            var upper = bound == "+Inf" ? double.PositiveInfinity : double.Parse(bound, CultureInfo.InvariantCulture);
            cumulative[upper] = cumulative.GetValueOrDefault(upper) + double.Parse(value, CultureInfo.InvariantCulture);
        }

        return new ScrapedHistogram(cumulative);
    }

    /// <summary>The observations made between <paramref name="earlier"/> and this scrape.</summary>
    public ScrapedHistogram Since(ScrapedHistogram earlier)
    {
        var delta = new SortedDictionary<double, double>();
        foreach (var (bound, count) in _cumulative)
        {
            delta[bound] = count - earlier._cumulative.GetValueOrDefault(bound);
        }

        return new ScrapedHistogram(delta);
    }

    /// <summary>Linear within the bucket that holds the rank; NaN without observations.</summary>
    public double Quantile(double q)
    {
        if (Count == 0)
        {
            return double.NaN;
        }

        var rank = q * Count;
        var (lower, below) = (0.0, 0.0);
        foreach (var (upper, cumulative) in _cumulative)
        {
            if (cumulative >= rank)
            {
                return double.IsPositiveInfinity(upper) ? lower : lower + ((upper - lower) * (rank - below) / (cumulative - below));
            }

            (lower, below) = (upper, cumulative);
        }

        return lower;
    }
}
