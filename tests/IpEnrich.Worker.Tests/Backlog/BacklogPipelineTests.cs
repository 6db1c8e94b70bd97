using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Backlog;

/// <summary>
/// The backlog end to end: emulator with the quota on, a real redis-server, the mock cluster and the worker. The
/// quota's windows are shortened (3 s and 60 s, on both sides) so minutes of budget pass in seconds.
/// </summary>
[Trait("Category", "Integration")]
public sealed class BacklogPipelineTests
{
    private const int PerWindow = 20;                 // the configured budget per short window
    private const int Effective = 19;                 // less the 5 % safety margin
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan ClaimSlack = Window; // a claim waits at most about a window on a starved machine

    [Fact]
    public async Task A_burst_of_new_ips_drains_high_first_at_the_budgets_rate_and_every_deferred_alert_gets_its_update()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync(
            $"--Emulator:Quota:PerMinute={PerWindow}", "--Emulator:Quota:PerHour=1000", "--Emulator:Quota:MinuteWindow=00:00:03", "--Emulator:Quota:HourWindow=00:01:00");
        using var cluster = PipelineSetup.Cluster(2);
        cluster.CreateTopic("updates", 2);
        var settings = PipelineSetup.Settings(emulator, cluster, unlimitedQuota: false);
        settings["Quota:PerMinute"] = $"{PerWindow}";
        settings["Quota:PerHour"] = "1000";
        settings["Quota:MinuteWindow"] = "3s";
        settings["Quota:HourWindow"] = "60s";
        settings["Redis:ConnectionString"] = redis.ConnectionString;
        settings["Enrichment:UpdatesTopic"] = "updates";
        settings["Enrichment:MaxWait"] = "200ms";
        using var worker = await PipelineSetup.StartPipelineHostAsync(settings);

        // 80 alerts, each naming a new IP; every fifth is high, the rest low, interleaved as a real burst would be.
        const int Alerts = 80;
        var high = new HashSet<string>();
        var ipOf = new Dictionary<string, string>();
        var inputs = new List<Message<string, string>>();
        for (var i = 0; i < Alerts; i++)
        {
            var ip = ipOf[$"k{i}"] = $"198.51.100.{i + 1}";
            var severity = i % 5 == 0 ? "high" : "low";
            if (severity == "high")
            {
                high.Add(ip);
            }

            inputs.Add(new Message<string, string> { Key = $"k{i}", Value = $$"""{"seq":{{i}},"severity":"{{severity}}","src_ip":"{{ip}}"}""" });
        }

        await TopicWriter.WriteAsync("in", cluster.BootstrapServers, inputs);

        var read = TopicReader.DrainTimed<string, string>("out", cluster.BootstrapServers, Alerts);
        var outputs = read.Select(o => o.Record).ToList();
        var deferred = outputs.Where(o => Status(o.Message.Value) == "deferred").Select(o => o.Message.Key).ToList();
        var updates = TopicReader.Drain<string, string>("updates", cluster.BootstrapServers, deferred.Count);
        var calls = await emulator.GetCallLogAsync();

        // Every alert went out on time; those without an answer then got exactly the update they wait for.
        Assert.Equal(Alerts, outputs.Count);
        Assert.True(deferred.Count >= Alerts - Effective, $"{deferred.Count} deferred: the budget is short for {Alerts} IPs");
        Assert.All(updates, u => Assert.Equal("in", Input(u.Message.Value)));
        var updated = updates.Select(u => u.Message.Key).ToHashSet(); // keyed like their alert
        Assert.All(deferred, key => Assert.Contains(key, updated));

        // Never over the budget, no IP asked twice, and every IP answered.
        Assert.DoesNotContain(calls, c => c.Status == 429);
        Assert.Equal(Alerts, calls.Count);
        Assert.Equal(Alerts, calls.Select(c => c.Ip).Distinct().Count());

        // No low IP is asked while a high one waits. On a loaded machine the burst can take longer to come in than a
        // window lasts, so a high IP is judged waiting from the moment its deferred alert was read (it was wanted
        // before it was published), plus a slack for the claim of the low one to reach the emulator.
        var waitingSince = read.Where(o => Status(o.Record.Message.Value) == "deferred" && high.Contains(ipOf[o.Record.Message.Key]))
            .ToDictionary(o => ipOf[o.Record.Message.Key], o => o.ReadAt + ClaimSlack);
        var askedAs = calls.Select((c, n) => (c.Ip!, n)).ToDictionary(x => x.Item1, x => x.n);
        var order = string.Join("", calls.Select(c => high.Contains(c.Ip!) ? 'H' : 'l'));
        var judged = 0;
        for (var n = 0; n < calls.Count; n++)
        {
            var at = calls[n].At;
            var waiting = waitingSince.Where(w => w.Value < at).Select(w => w.Key).ToList();
            if (high.Contains(calls[n].Ip!) || waiting.Count == 0)
            {
                continue;
            }

            judged++;
            var passedOver = waiting.Where(ip => askedAs[ip] > n).ToList();
            Assert.True(passedOver.Count == 0, $"low {calls[n].Ip} asked while {string.Join(", ", passedOver)} waited; the drain order: {order}");
        }

        // Something was judged, unless no high IP had to wait for a window: on a slow start (the drain's first token)
        // most of the burst is wanted before the first call, and every high IP fits in the first window's budget.
        Assert.True(judged > 0 || high.All(ip => askedAs[ip] < Effective),
            $"no low IP was asked after a high one was known to wait; the drain order: {order}");

        // While IPs wait, each full window spends at least 90 % of the configured budget.
        var start = calls[0].At;
        var fullWindows = (int)((calls[^1].At - start) / Window);
        for (var w = 0; w < fullWindows; w++)
        {
            var spent = calls.Count(c => c.At - start >= Window * w && c.At - start < Window * (w + 1));
            Assert.True(spent >= PerWindow * 0.9, $"window {w}: {spent} calls, budget {PerWindow}");
        }
    }

    private static string? Status(string value) =>
        JsonDocument.Parse(value).RootElement.GetProperty("ipEnrichment").GetProperty("status").GetString();

    private static string? Input(string update) => JsonDocument.Parse(update).RootElement.GetProperty("input").GetProperty("topic").GetString();
}
