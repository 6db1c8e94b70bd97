using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IpEnrich.Testing;

/// <summary>The PromQL of a Grafana dashboard (deploy/grafana/ipenrich.json), as Prometheus would receive it from Grafana.</summary>
public static partial class GrafanaDashboard
{
    public static string DefaultPath => Path.Combine(RepoPaths.Root, "deploy", "grafana", "ipenrich.json");

    /// <summary>Every target's <c>expr</c>, with its panel's title, rows' nested panels included.</summary>
    public static List<(string Panel, string Expr)> Queries(string path)
    {
        var dashboard = JsonNode.Parse(File.ReadAllText(path))!;
        var queries = new List<(string, string)>();
        void Walk(JsonArray? panels)
        {
            foreach (var panel in panels ?? [])
            {
                foreach (var target in panel!["targets"]?.AsArray() ?? [])
                {
                    if ((string?)target!["expr"] is { Length: > 0 } expr)
                    {
                        queries.Add(((string?)panel["title"] ?? "?", expr));
                    }
                }

                Walk(panel["panels"]?.AsArray());
            }
        }

        Walk(dashboard["panels"]?.AsArray());
        return queries;
    }

    /// <summary>
    /// The query Grafana would send: interval variables as 1m, the multi-value <c>$job</c> at "All" as a match-any
    /// regex. Throws for any other variable, so a new one gets a deliberate substitution here.
    /// </summary>
    public static string Substitute(string expr)
    {
        var result = IntervalVariable().Replace(expr, "1m").Replace("${job}", ".+", StringComparison.Ordinal).Replace("$job", ".+", StringComparison.Ordinal);
        return result.Contains('$', StringComparison.Ordinal) ? throw new InvalidOperationException($"unsubstituted Grafana variable in {expr}") : result;
    }

    [GeneratedRegex(@"\$\{?__(rate_interval|interval|range)\}?")]
    private static partial Regex IntervalVariable();
}
