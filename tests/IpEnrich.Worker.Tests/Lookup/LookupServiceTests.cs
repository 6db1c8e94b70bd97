using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Lookup;

/// <summary>The lookup service against a real redis-server and the emulator, as several replicas would run it.</summary>
[Trait("Category", "Integration")]
public sealed class LookupServiceTests
{
    private static readonly TimeSpan Patient = TimeSpan.FromSeconds(30);

    private static List<IPAddress> Addresses(int count, int offset = 0) =>
        [.. Enumerable.Range(offset, count).Select(i => new IPAddress([10, 77, (byte)(i / 250), (byte)((i % 250) + 1)]))];

    [Fact]
    public async Task Three_replicas_times_fifty_concurrent_requests_for_200_ips_make_exactly_200_api_calls()
    {
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        var ips = Addresses(200);
        await emulator.AddEventsAsync([.. ips.Take(50).Select(ip => ("dev-1", ip.ToString(), emulator.Time.GetUtcNow().AddHours(-1)))]);
        var big = new Dictionary<string, string?> { ["Quota:PerMinute"] = "100000", ["Quota:PerHour"] = "100000" };
        await using var a = await LookupReplica.StartAsync(emulator, redis, big);
        await using var b = await LookupReplica.StartAsync(emulator, redis, big);
        await using var c = await LookupReplica.StartAsync(emulator, redis, big);

        var calls = new[] { a, b, c }.SelectMany(replica => Enumerable.Range(0, 50).Select(n =>
        {
            var shuffled = ips.OrderBy(_ => Random.Shared.Next()).ToList();
            return replica.Service.LookupAsync(shuffled, AlertPriority.Normal, Patient, TestContext.Current.CancellationToken).AsTask()
                .ContinueWith(t => (shuffled, t.Result), TaskScheduler.Default);
        })).ToList();
        var answers = await Task.WhenAll(calls);

        Assert.Equal(200, (await emulator.GetCallsAsync()).Total);
        foreach (var (asked, results) in answers)
        {
            for (var i = 0; i < asked.Count; i++)
            {
                var expected = ips.IndexOf(asked[i]) < 50 ? IpLookupStatus.Found : IpLookupStatus.NotSeen;
                Assert.Equal(expected, results[i].Status);
            }
        }
    }

    [Fact]
    public async Task Answers_come_from_the_cache_after_the_first_lookup()
    {
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartAsync();
        await using var first = await LookupReplica.StartAsync(emulator, redis);
        await using var second = await LookupReplica.StartAsync(emulator, redis, new Dictionary<string, string?> { ["Cache:L1Capacity"] = "0" });
        var ip = IPAddress.Parse("198.51.100.10");
        var fromApi = (await first.Service.LookupAsync([ip], AlertPriority.Normal, Patient, TestContext.Current.CancellationToken))[0];
        // L1 is keyed by the address's value: another instance of the same address hits it, another look-back does not.
        var fromL1 = (await first.Service.LookupAsync([IPAddress.Parse("198.51.100.10")], AlertPriority.Normal, Patient, TestContext.Current.CancellationToken))[0];
        var fromRedis = (await second.Service.LookupAsync([ip], AlertPriority.Normal, Patient, TestContext.Current.CancellationToken))[0];
        Assert.Equal(1, (await emulator.GetCallsAsync()).Total);
        var otherWindow = (await first.Service.LookupAsync([ip], AlertPriority.Normal, Patient, TestContext.Current.CancellationToken, lookBackHours: 24))[0];
        Assert.Equal(LookupSource.Api, fromApi.Source);
        Assert.Equal(LookupSource.Cache, fromL1.Source);
        Assert.Equal(fromApi.FetchedAt, fromL1.FetchedAt);
        Assert.Equal(LookupSource.Cache, fromRedis.Source);
        Assert.Equal(fromApi.FetchedAt, fromRedis.FetchedAt);
        Assert.Equal(LookupSource.Api, otherWindow.Source);
        Assert.Equal(2, (await emulator.GetCallsAsync()).Total);
    }

    [Fact]
    public async Task An_alerts_candidates_are_answered_as_the_same_addresses_are()
    {
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartAsync();
        await using var replica = await LookupReplica.StartAsync(emulator, redis);
        var extractor = new AlertExtractor(new ExtractionOptions());
        var alert = """{"src":"198.51.100.20","dst":"::ffff:198.51.100.21","note":"seen from 2001:db8::7"}"""u8.ToArray();
        AlertExtraction Extract()
        {
            var extraction = new AlertExtraction();
            Assert.True(extractor.TryExtract(alert, extraction, out var rejection), rejection.Reason);
            return extraction;
        }

        var ct = TestContext.Current.CancellationToken;
        var (missed, hit) = (new IpLookupResult[3], new IpLookupResult[3]);
        await replica.Service.LookupAsync(Extract(), missed, AlertPriority.Normal, Patient, ct); // asked by address
        await replica.Service.LookupAsync(Extract(), hit, AlertPriority.Normal, Patient, ct); // L1, by value
        var byAddress = await replica.Service.LookupAsync(
            [IPAddress.Parse("198.51.100.20"), IPAddress.Parse("198.51.100.21"), IPAddress.Parse("2001:db8::7")], AlertPriority.Normal, Patient, ct);

        Assert.Equal(3, (await emulator.GetCallsAsync()).Total);
        Assert.All(missed, answer => Assert.Equal(LookupSource.Api, answer.Source));
        Assert.All(hit, answer => Assert.Equal(LookupSource.Cache, answer.Source));
        Assert.Equal(missed.Select(a => a.FetchedAt), hit.Select(a => a.FetchedAt));
        Assert.Equal(hit, byAddress);
    }

    [Fact]
    public async Task Three_replicas_draining_5000_wanted_ips_spend_the_budget_fully_never_exceed_it_and_ask_no_ip_twice()
    {
        await using var redis = await RedisServer.StartOrSkipAsync();
        // The same limits on both sides, on shortened windows so the test runs in seconds on the real clock.
        string[] limits = ["--Emulator:Quota:PerMinute=40", "--Emulator:Quota:PerHour=100", "--Emulator:Quota:MinuteWindow=00:00:02", "--Emulator:Quota:HourWindow=00:00:10"];
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync(limits);
        var quota = new Dictionary<string, string?>
        {
            ["Quota:PerMinute"] = "40", ["Quota:PerHour"] = "100", ["Quota:MinuteWindow"] = "00:00:02", ["Quota:HourWindow"] = "00:00:10",
            ["Quota:HighPriorityReserve"] = "0",
        };
        await using var a = await LookupReplica.StartAsync(emulator, redis, quota);
        await using var b = await LookupReplica.StartAsync(emulator, redis, quota);
        await using var c = await LookupReplica.StartAsync(emulator, redis, quota);
        // Each replica holds its token first: the 3 s wait below is about the budget, not a first TLS handshake and
        // token under a loaded test run (all 5000 went out deferred for "timeout" then, before any call).
        foreach (var replica in new[] { a, b, c })
        {
            _ = await replica.Get<IpEnrich.Defender.Auth.IAccessTokenSource>().GetTokenAsync(TestContext.Current.CancellationToken);
        }

        var ips = Addresses(5000);
        var parts = new[] { a, b, c }.Select((replica, r) => replica.Service.LookupAsync(
            [.. ips.Where((_, i) => i % 3 == r)], AlertPriority.Normal, TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken).AsTask()).ToArray();
        var results = (await Task.WhenAll(parts)).SelectMany(r => r).ToList();

        // Alerts do not wait past their maxWait: what the budget did not reach yet went out deferred for quota.
        Assert.All(results, r => Assert.True(r.Status == IpLookupStatus.NotSeen || r is { Status: IpLookupStatus.Deferred, Detail: "quota" }, r.ToString()));
        var log = await emulator.GetCallLogAsync();
        await Eventually.UntilAsync(async () => (log = await emulator.GetCallLogAsync()).Count > 0 && log[^1].At - log[0].At > TimeSpan.FromSeconds(12),
            TimeSpan.FromSeconds(30), "the backlog drains for more than one long window", TestContext.Current.CancellationToken);

        // The emulator enforces the same windows: no 429 means no window was ever exceeded.
        Assert.DoesNotContain(log, call => call.Status == 429);
        Assert.Equal(log.Count, log.Select(call => call.Ip).Distinct().Count());
        var firstWindow = log.Count(call => call.At - log[0].At < TimeSpan.FromSeconds(10));
        Assert.InRange(firstWindow, 86, 95); // ≥ 90 % of the long window's 100 less the 5 % safety margin, while IPs wait
    }

    [Fact]
    public async Task A_429_pauses_every_replica_until_retry_after_and_alerts_do_not_wait_for_it()
    {
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartAsync();
        await using var a = await LookupReplica.StartAsync(emulator, redis);
        await using var b = await LookupReplica.StartAsync(emulator, redis);
        await emulator.SetFaultsAsync(new FaultOptions { Force429Seconds = 30 });

        var first = await a.Service.LookupAsync([IPAddress.Parse("192.0.2.1")], AlertPriority.Critical, Patient, TestContext.Current.CancellationToken)
            .AsTask().WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal(("quota", IpLookupStatus.Deferred), (first[0].Detail, first[0].Status));
        await emulator.SetFaultsAsync(new FaultOptions()); // the API would answer now, but Retry-After has not passed
        var wait = TimeSpan.FromSeconds(5);
        var fromB = await b.Service.LookupAsync(Addresses(10), AlertPriority.Critical, wait, TestContext.Current.CancellationToken);
        var fromA = await a.Service.LookupAsync(Addresses(10, 100), AlertPriority.Critical, wait, TestContext.Current.CancellationToken);
        Assert.All(fromB.Concat(fromA), r => Assert.Equal("quota", r.Detail));
        Assert.Equal(1, (await emulator.GetCallsAsync()).Total);
    }

    [Fact]
    public async Task Stale_entries_are_served_during_an_outage_and_refreshed_after()
    {
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartAsync();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var replica = await LookupReplica.StartAsync(emulator, redis, new Dictionary<string, string?> { ["Cache:NotSeenTtl"] = "00:10:00" }, clock);
        var ip = IPAddress.Parse("198.51.100.44");
        var first = (await replica.Service.LookupAsync([ip], AlertPriority.Normal, Patient, TestContext.Current.CancellationToken))[0];
        Assert.Equal(LookupSource.Api, first.Source);

        clock.Advance(TimeSpan.FromMinutes(15)); // past the TTL (10 min ± 10 %), within MaxStale
        await emulator.SetFaultsAsync(new FaultOptions { FailNextCount = 1000, FailNextStatus = 503 });
        var stale = (await replica.Service.LookupAsync([ip], AlertPriority.Normal, Patient, TestContext.Current.CancellationToken))[0];
        Assert.Equal((IpLookupStatus.NotSeen, LookupSource.Stale), (stale.Status, stale.Source));

        // The IP stays wanted: once the API is back (and the drain's back-off has passed) the cache is refreshed.
        await emulator.SetFaultsAsync(new FaultOptions());
        await Eventually.UntilAsync(async () =>
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            var now = (await replica.Service.LookupAsync([ip], AlertPriority.Normal, TimeSpan.Zero, TestContext.Current.CancellationToken))[0];
            return now.Source == LookupSource.Cache && now.FetchedAt > first.FetchedAt;
        }, TimeSpan.FromSeconds(20), "the wanted IP is answered again after the outage", TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Unresolved_within_max_wait_is_deferred_and_the_fetch_fills_the_cache()
    {
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync();
        await using var replica = await LookupReplica.StartAsync(emulator, redis);
        await emulator.SetFaultsAsync(new FaultOptions { LatencyMs = 700 });
        var ip = IPAddress.Parse("198.51.100.45");
        var quick = (await replica.Service.LookupAsync([ip], AlertPriority.Normal, TimeSpan.FromMilliseconds(100), TestContext.Current.CancellationToken))[0];
        Assert.Equal((IpLookupStatus.Deferred, "timeout"), (quick.Status, quick.Detail));

        var later = (await replica.Service.LookupAsync([ip], AlertPriority.Normal, Patient, TestContext.Current.CancellationToken))[0];
        Assert.Equal(IpLookupStatus.NotSeen, later.Status); // joined the same flight or read its cached answer
        Assert.Equal(1, (await emulator.GetCallsAsync()).Total);
    }

    [Fact]
    public async Task Redis_killed_mid_run_then_restarted_never_throws_and_is_used_again()
    {
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartAsync();
        await using var replica = await LookupReplica.StartAsync(emulator, redis, new Dictionary<string, string?> { ["Cache:L1Capacity"] = "0" });
        Assert.Equal(IpLookupStatus.NotSeen, (await replica.Service.LookupAsync(Addresses(3), AlertPriority.Normal, Patient, TestContext.Current.CancellationToken))[0].Status);

        var health = replica.Get<IpEnrich.Worker.Lookup.LookupHealthCheck>();
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, (await health.CheckHealthAsync(new(), TestContext.Current.CancellationToken)).Status);

        await redis.StopAsync();
        var during = await replica.Service.LookupAsync(Addresses(3, 10), AlertPriority.Normal, Patient, TestContext.Current.CancellationToken);
        Assert.All(during, r => Assert.Equal(IpLookupStatus.NotSeen, r.Status)); // answered through the local limiter
        Assert.False(replica.Cache.RedisHealthy);
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Degraded, (await health.CheckHealthAsync(new(), TestContext.Current.CancellationToken)).Status);

        await redis.StartAsync();
        await Eventually.UntilAsync(() => replica.Get<IpEnrich.Worker.Redis.RedisConnection>().IsConnected, TimeSpan.FromSeconds(20), "the multiplexer reconnected", TestContext.Current.CancellationToken);

        var after = await replica.Service.LookupAsync(Addresses(3, 20), AlertPriority.Normal, Patient, TestContext.Current.CancellationToken);
        Assert.All(after, r => Assert.Equal(IpLookupStatus.NotSeen, r.Status));
        Assert.True(replica.Cache.RedisHealthy);
        Assert.Equal(Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy, (await health.CheckHealthAsync(new(), TestContext.Current.CancellationToken)).Status);
        Assert.NotNull(await replica.Cache.GetAsync(replica.Cache.Key(Addresses(1, 20)[0], 720)));
    }

    [Fact]
    public async Task Without_redis_the_same_service_runs_on_memory_and_a_local_limiter()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await using var replica = await LookupReplica.StartAsync(emulator, redis: null);
        var ips = Addresses(5);
        var first = await replica.Service.LookupAsync(ips, AlertPriority.Normal, Patient, TestContext.Current.CancellationToken);
        var second = await replica.Service.LookupAsync(ips, AlertPriority.Normal, Patient, TestContext.Current.CancellationToken);
        Assert.All(first, r => Assert.Equal(LookupSource.Api, r.Source));
        Assert.All(second, r => Assert.Equal(LookupSource.Cache, r.Source));
        Assert.Equal(5, (await emulator.GetCallsAsync()).Total);
    }
}
