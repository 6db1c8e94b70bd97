using System.Net;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Cli;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using IpEnrich.Demo;

namespace IpEnrich.Worker.Tests.Hosting;

/// <summary>The worker process as deployed: configuration only, endpoints, metrics, start-up validation.</summary>
[Trait("Category", "Integration")]
public sealed class WorkerHostTests
{
    [Fact]
    public async Task Health_and_metrics_endpoints_report_the_running_pipeline()
    {
        using var cluster = PipelineSetup.Cluster(2);
        await using var emulator = await RunningEmulator.StartAsync();
        var settings = PipelineSetup.Settings(emulator, cluster, unlimitedQuota: false);
        await using var app = await RunningWorker.StartAsync(settings, "--Logging:LogLevel:Default=Warning");
        using var http = new HttpClient { BaseAddress = app.BaseAddress };

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken)).StatusCode);
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers,
            [new Message<Null, string> { Value = """{"src_ip":"192.0.2.10"}""" }, new Message<Null, string> { Value = "oops" }]);

        var pipeline = app.Services.GetRequiredService<KafkaPipeline>();
        await Eventually.UntilAsync(() => pipeline.Delivered >= 2, TimeSpan.FromSeconds(30), "the pipeline published 2 record(s)", TestContext.Current.CancellationToken);

        Assert.Equal(2, pipeline.Delivered);
        var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        var metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative), TestContext.Current.CancellationToken);
        Assert.Contains("ipenrich_alerts_total", metrics, StringComparison.Ordinal);
        Assert.Contains("outcome=\"complete\"", metrics, StringComparison.Ordinal);
        Assert.Contains("outcome=\"dead_letter\"", metrics, StringComparison.Ordinal);
        Assert.Contains("ipenrich_api_requests_total", metrics, StringComparison.Ordinal);
        Assert.Contains("ipenrich_quota_remaining", metrics, StringComparison.Ordinal);
        // Duration buckets in seconds (1 ms … 60 s), not the exporter's millisecond defaults that put every alert in one bucket.
        Assert.Contains(metrics.Split('\n'), l => l.StartsWith("ipenrich_alert_duration_seconds_bucket{", StringComparison.Ordinal) && l.Contains("le=\"0.05\"", StringComparison.Ordinal));
        // Rare-event counters are series from the start (at 0), so rate() and alerts see their first event.
        Assert.Matches(@"(?m)^ipenrich_updates_total\{[^}]*outcome=""overflow""[^}]*\} 0( |$)", metrics);
        Assert.Matches(@"(?m)^ipenrich_backlog_dropped_total\{[^}]*\} 0( |$)", metrics);
        await app.StopAsync(TestContext.Current.CancellationToken);

        // The Grafana dashboard queries only metrics this worker exports (checked against the live scrape).
        var emitted = metrics.Split('\n').Where(l => l.StartsWith("# TYPE ", StringComparison.Ordinal)).Select(l => l.Split(' ')[2]).ToHashSet();
        var dashboard = System.Text.Json.JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "deploy", "grafana", "ipenrich.json"), TestContext.Current.CancellationToken));
        var queried = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray())
            .SelectMany(t => System.Text.RegularExpressions.Regex.Matches(t.GetProperty("expr").GetString()!, @"\bipenrich_[a-z_]+").Select(m => m.Value))
            .Select(name => System.Text.RegularExpressions.Regex.Replace(name, "_(bucket|sum|count)$", string.Empty))
            .ToHashSet();
        Assert.True(queried.Count >= 8, string.Join(", ", queried));
        Assert.All(queried, name => Assert.True(emitted.Contains(name), $"dashboard queries {name}; the worker exports {string.Join(", ", emitted.Where(e => e.StartsWith("ipenrich", StringComparison.Ordinal)))}"));
        Assert.All(IpEnrich.Core.Telemetry.MetricNames.All, m => Assert.Contains(queried, q => q.StartsWith(m.Replace('.', '_'), StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Missing_configuration_is_one_line_per_problem_and_exit_2()
    {
        using var error = new StringWriter();
        var code = await WorkerCommand.RunAsync(["--urls", "http://127.0.0.1:0", "--Defender:TenantId=t", "--Defender:ClientId=c", "--Defender:ClientSecret=s"], error, TestContext.Current.CancellationToken);
        Assert.Equal(2, code);
        var lines = error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains("ipenrich: Kafka:BootstrapServers is required", lines);
        Assert.Contains("ipenrich: Kafka:InputTopic is required", lines);
        Assert.All(lines, l => Assert.StartsWith("ipenrich: ", l, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Demo_runs_end_to_end_and_stops_cleanly()
    {
        using var output = new StringWriter();
        var code = await DemoCommand.RunAsync(redis: null, kafka: null, durationSeconds: 12, rate: 100, output, TestContext.Current.CancellationToken);
        var text = output.ToString();
        Assert.Equal(0, code);
        Assert.Contains("in-process mock cluster", text, StringComparison.Ordinal);
        Assert.Contains("--- enriched alert", text, StringComparison.Ordinal);
        // The alerts shown carry real statistics and their triage, not only deferrals.
        Assert.Contains("\"status\":\"found\",\"organizationPrevalence\":", text, StringComparison.Ordinal);
        Assert.Contains("\"rarity\":", text, StringComparison.Ordinal);
        Assert.Contains("\"triage\":{\"rarest\":", text, StringComparison.Ordinal);
        Assert.Contains("alerts/s", text, StringComparison.Ordinal);
        var summary = text.Split(Environment.NewLine).Single(l => l.StartsWith("Stopped: ", StringComparison.Ordinal));
        var consumed = long.Parse(summary.Split(' ')[1].Replace(",", string.Empty, StringComparison.Ordinal), System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(consumed > 100, summary);
        Assert.Contains($"{consumed:N0} published", summary, StringComparison.Ordinal); // nothing lost on stop
        // Late updates are on by default: the progress line shows the backlog and the updates published, the summary their total.
        Assert.Contains(text.Split(Environment.NewLine), l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\[\d\d:\d\d\] .* \| backlog +[\d,]+ \| late updates +[\d,]+$"));
        Assert.Matches(@", [\d,]+ late updates\.$", summary);
        if (text.Split(Environment.NewLine).SkipWhile(l => !l.StartsWith("--- late update for sample alert ", StringComparison.Ordinal)).ToList() is [var header, .. var rest])
        {
            // Shown only when a sample alert went out deferred (a cold start beyond MaxWait): then it is that alert's update.
            using var update = System.Text.Json.JsonDocument.Parse(string.Join('\n', rest.TakeWhile(l => !l.StartsWith('[') && !l.StartsWith("---", StringComparison.Ordinal))));
            Assert.Equal("ipenrich.update", update.RootElement.GetProperty("type").GetString());
            Assert.Contains($"sample alert {update.RootElement.GetProperty("key").GetString()} ", header, StringComparison.Ordinal);
        }
    }
}
