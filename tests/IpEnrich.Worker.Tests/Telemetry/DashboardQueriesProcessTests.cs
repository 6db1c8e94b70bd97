using System.Text.RegularExpressions;
using Confluent.Kafka;
using IpEnrich.Demo.MockKafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Telemetry;

/// <summary>
/// The dashboard and the alerting rules against what a real worker exports: a real Prometheus scrapes a real
/// <c>ipenrich</c> process (mock cluster, emulator) every second while alerts flow, and every dashboard query must
/// return a series, every rule evaluate cleanly, every metric they name exist.
/// </summary>
[Trait("Category", "Integration")]
public sealed partial class DashboardQueriesProcessTests(ITestOutputHelper output)
{
    private const int Partitions = 2;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private static readonly string Rules = Path.Combine(RepoPaths.Root, "deploy", "prometheus", "ipenrich-rules.yaml");

    [Fact]
    public async Task Every_dashboard_query_returns_a_series_and_every_rule_evaluates_against_a_scraped_worker()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync();
        using var cluster = PipelineSetup.Cluster(Partitions);
        var settings = PipelineSetup.Settings(emulator, cluster);
        settings["Kafka:GroupId"] = "dashboard-queries";
        await using var fleet = await WorkerFleet.StartAsync(settings, 1, "dashboard-queries", ct);
        await using var prometheus = await PrometheusServer.StartAsync([$"127.0.0.1:{fleet.Ports[0]}"], [Rules], ct);
        output.WriteLine($"worker logs in {fleet.Logs}, prometheus in {prometheus.Directory}");

        // Traffic for every panel: API lookups, then the same IPs again once cached (L1 hits), and one unparseable alert.
        using var outputs = new TopicFollower(cluster.BootstrapServers, "out", Partitions);
        await ProduceAsync(cluster, [.. Enumerable.Range(0, 20).Select(Alert)]);
        await Eventually.UntilAsync(async () => outputs.Distinct().Count >= 20 && (await prometheus.QueryAsync("sum(ipenrich_lookups_total{source=\"api\"}) >= 20", ct)).Count > 0,
            Patience, "the first 20 alerts are out and their 20 IPs answered by the API (so cached)", ct);
        await ProduceAsync(cluster, [.. Enumerable.Range(20, 20).Select(Alert), ("bad", "not json")]);
        await Eventually.UntilAsync(() => outputs.Distinct().Count >= 40, Patience, "the second 20 alerts are out", ct);

        var queries = GrafanaDashboard.Queries(GrafanaDashboard.DefaultPath);
        Assert.True(queries.Count >= 16, $"only {queries.Count} dashboard queries found");
        var metrics = MetricNames(string.Join('\n', queries.Select(q => q.Expr)) + File.ReadAllText(Rules));
        await WaitUntilAllReturnSeriesAsync(prometheus,
            [.. queries.Select(q => ($"panel \"{q.Panel}\"", GrafanaDashboard.Substitute(q.Expr))), .. metrics.Select(m => ($"metric {m}", $"count({m})"))], ct);

        var jobs = await prometheus.GetAsync("api/v1/label/job/values?match[]=ipenrich_alerts_total", ct); // the dashboard's $job variable
        Assert.Contains("ipenrich", jobs.AsArray().Select(j => (string?)j));
        await AssertRulesEvaluateAsync(prometheus, ct);
    }

    /// <summary>Alert <paramref name="seq"/>, keyed by it, naming one of 20 IPs.</summary>
    private static (string Key, string Value) Alert(int seq) => ($"k{seq}", $$"""{"seq":{{seq}},"src_ip":"10.78.0.{{(seq % 20) + 1}}"}""");

    private static async Task ProduceAsync(MockKafkaCluster cluster, List<(string Key, string Value)> records) =>
        await TopicWriter.WriteAsync(cluster.BootstrapServers,
            records.Select((record, i) => (new TopicPartition("in", i % Partitions), new Message<string, string> { Key = record.Key, Value = record.Value })));

    /// <summary>Every <c>ipenrich_*</c> metric named in <paramref name="promql"/>.</summary>
    private static List<string> MetricNames(string promql) => [.. MetricName().Matches(promql).Select(m => m.Value).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>Polls every query until each returns at least one series; a query Prometheus refuses fails at once.</summary>
    private async Task WaitUntilAllReturnSeriesAsync(PrometheusServer prometheus, List<(string What, string Expr)> queries, CancellationToken ct)
    {
        var empty = queries;
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                var still = new List<(string, string)>();
                foreach (var query in empty)
                {
                    if ((await prometheus.QueryAsync(query.Expr, ct)).Count == 0)
                    {
                        still.Add(query);
                    }
                }

                empty = still;
                return empty.Count == 0;
            }, Patience, "every dashboard query and named metric returns a series", ct);
        }
        catch (TimeoutException ex)
        {
            Assert.Fail($"{ex.Message} Still empty:\n{string.Join('\n', empty.Select(q => $"{q.What}: {q.Expr}"))}");
        }

        foreach (var (what, expr) in queries)
        {
            output.WriteLine($"{what}: {(await prometheus.QueryAsync(expr, ct)).Count} series");
        }
    }

    /// <summary>Prometheus loaded the rules file (so it parses) and evaluated each rule without error; each rule's query runs.</summary>
    private async Task AssertRulesEvaluateAsync(PrometheusServer prometheus, CancellationToken ct)
    {
        var expected = RuleCount().Count(File.ReadAllText(Rules));
        List<System.Text.Json.Nodes.JsonNode> rules = [];
        await Eventually.UntilAsync(async () =>
        {
            rules = [.. (await prometheus.GetAsync("api/v1/rules", ct))["groups"]!.AsArray().SelectMany(g => g!["rules"]!.AsArray()).Select(r => r!)];
            return rules.Count == expected && rules.All(r => (string?)r["health"] == "ok");
        }, Patience, $"Prometheus loaded {expected} rules and evaluated each without error", ct);
        foreach (var rule in rules)
        {
            var result = await prometheus.QueryAsync((string)rule["query"]!, ct);
            output.WriteLine($"rule {rule["name"]}: {(string?)rule["state"]}, {result.Count} series now");
        }
    }

    [GeneratedRegex(@"\bipenrich_[a-z_]+\b")]
    private static partial Regex MetricName();

    [GeneratedRegex(@"^\s*- alert: ", RegexOptions.Multiline)]
    private static partial Regex RuleCount();
}
