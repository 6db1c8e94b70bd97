using IpEnrich.Testing;
using IpEnrich.Worker.Tests.Backlog;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Redis;

/// <summary>
/// Degraded mode from outside: three real <c>ipenrich</c> processes share a real redis-server that stalls
/// (<c>CLIENT PAUSE</c>, longer than <c>Redis:Timeout</c> but inside <c>Redis:FallbackGrace</c>) while alerts name
/// new IPs. The emulator's call log judges the budget; the workers' log files, the noise.
/// </summary>
[Trait("Category", "Integration")]
[Collection(RunAlone.Name)]
public sealed class RedisStallProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Stall = TimeSpan.FromSeconds(4);

    [Fact]
    public async Task Three_workers_through_a_Redis_stall_ask_each_IP_once_draw_no_429_and_log_a_few_warnings()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync(BacklogProcessTests.EmulatorQuota);
        using var cluster = PipelineSetup.Cluster(6);
        cluster.CreateTopic("updates", 3);
        var settings = BacklogProcessTests.Settings(emulator, cluster, redis);
        settings["Redis:Timeout"] = "00:00:01"; // the stall outlasts it: calls fail, not just wait
        await using var fleet = await WorkerFleet.StartAsync(settings, 3, "redis-stall", ct);
        using var outputs = new TopicFollower(cluster.BootstrapServers, "out", 6);
        using var updates = new TopicFollower(cluster.BootstrapServers, "updates", 3);

        var inputs = await BacklogProcessTests.ProduceBurstAsync(cluster, 40, 40);
        await Eventually.UntilAsync(() => outputs.Distinct().Count >= 40, TimeSpan.FromSeconds(30), "the first burst is out", ct);
        await redis.PauseClientsAsync(Stall);
        // Each new IP named twice, by alerts on different partitions (so different replicas), while Redis stalls.
        foreach (var (seq, position) in await BacklogProcessTests.ProduceBurstAsync(cluster, 160, 80, firstSeq: 40))
        {
            inputs[seq] = position;
        }

        await Eventually.UntilAsync(async () => outputs.Distinct().Count >= 200 && BacklogProcessTests.AllUpdated(outputs, updates, inputs)
                && await BacklogProcessTests.AskedIpsAsync(emulator) >= 120,
            TimeSpan.FromSeconds(90), "every alert is out, every IP asked and every deferred alert updated", ct);
        await Task.Delay(TimeSpan.FromSeconds(1), ct); // extra calls, if any, would show now

        var calls = await BacklogProcessTests.StatsCallsAsync(emulator);
        var loud = fleet.Entries().Where(e => e.Level is "warn" or "fail" or "crit").ToList();
        output.WriteLine($"calls {calls.Count} for {calls.Select(c => c.Ip).Distinct().Count()} IPs, 429s {calls.Count(c => c.Status == 429)}; logs in {fleet.Logs}");
        output.WriteLine($"warnings and errors ({loud.Count}):\n" + string.Join("\n", loud.Select(e => $"{e.File} {e.Level} {e.Category}: {e.Message}")));

        Assert.DoesNotContain(calls, c => c.Status == 429);
        Assert.Equal(120, calls.Select(c => c.Ip).Distinct().Count());
        Assert.Equal(120, calls.Count); // 1.00 API calls per distinct IP, the stall included
        Assert.Contains(loud, e => e.Message.StartsWith("Redis calls failing", StringComparison.Ordinal)); // the stall was seen as one
        Assert.True(loud.Count < 10, $"{loud.Count} warning lines");
    }
}
