using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Testing;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Quota;

public sealed class QuotaGateTests
{
    [Fact]
    public async Task Local_gate_keeps_the_reserve_for_high_and_critical_alerts()
    {
        var options = Options.Create(new QuotaOptions { PerMinute = 1000, PerHour = 100, SafetyMargin = 0, HighPriorityReserve = 0.2 });
        var gate = new LocalQuotaGate(options, new FakeTimeProvider());
        for (var i = 0; i < 80; i++)
        {
            Assert.True((await gate.TryAcquireAsync(AlertPriority.Low, TestContext.Current.CancellationToken)).Allowed);
        }

        Assert.False((await gate.TryAcquireAsync(AlertPriority.Low, TestContext.Current.CancellationToken)).Allowed);
        Assert.False((await gate.TryAcquireAsync(AlertPriority.Normal, TestContext.Current.CancellationToken)).Allowed);
        Assert.True((await gate.TryAcquireAsync(AlertPriority.High, TestContext.Current.CancellationToken)).Allowed);
        Assert.True((await gate.TryAcquireAsync(AlertPriority.Critical, TestContext.Current.CancellationToken)).Allowed);
    }

    [Fact]
    public async Task Local_pause_denies_until_retry_after()
    {
        var time = new FakeTimeProvider();
        var gate = new LocalQuotaGate(Options.Create(new QuotaOptions()), time);
        await gate.PauseAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var denied = await gate.TryAcquireAsync(AlertPriority.Critical, TestContext.Current.CancellationToken);
        Assert.Equal((false, TimeSpan.FromSeconds(30)), (denied.Allowed, denied.RetryAfter));
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.True((await gate.TryAcquireAsync(AlertPriority.Low, TestContext.Current.CancellationToken)).Allowed);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Shared_gate_with_the_budget_nearly_spent_serves_high_and_defers_low()
    {
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartAsync();
        await using var replica = await LookupReplica.StartAsync(emulator, redis, new Dictionary<string, string?>
        {
            ["Quota:PerMinute"] = "1000", ["Quota:PerHour"] = "10", ["Quota:SafetyMargin"] = "0", ["Quota:HighPriorityReserve"] = "0.3",
        });
        for (var i = 0; i < 7; i++)
        {
            Assert.True((await replica.Quota.TryAcquireAsync(AlertPriority.Normal, TestContext.Current.CancellationToken)).Allowed);
        }

        var low = await replica.Service.LookupAsync([IPAddress.Parse("192.0.2.50")], AlertPriority.Low, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        var high = await replica.Service.LookupAsync([IPAddress.Parse("192.0.2.51")], AlertPriority.High, TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        Assert.Equal((IpLookupStatus.Deferred, "quota"), (low[0].Status, low[0].Detail));
        Assert.Equal((IpLookupStatus.NotSeen, LookupSource.Api), (high[0].Status, high[0].Source));
        Assert.Equal(1, (await emulator.GetCallsAsync()).Total);
        Assert.Equal(2, replica.Quota.Remaining.Hour);
    }

    [Fact]
    public void Ttl_jitter_stays_within_ten_percent_and_varies()
    {
        using var telemetry = new TestTelemetry();
        var redisOptions = Options.Create(new IpEnrich.Worker.Redis.RedisOptions());
        var cache = new IpCacheStore(Options.Create(new CacheOptions()),
            new CacheProfile(Options.Create(new CacheOptions()), Options.Create(new IpEnrich.Defender.Options.DefenderOptions { TenantId = "t" })),
            new IpEnrich.Worker.Redis.RedisConnection(redisOptions, Microsoft.Extensions.Logging.Abstractions.NullLogger<IpEnrich.Worker.Redis.RedisConnection>.Instance),
            new IpEnrich.Worker.Redis.RedisHealth(redisOptions, telemetry.Instruments, TimeProvider.System,
                Microsoft.Extensions.Logging.Abstractions.NullLogger<IpEnrich.Worker.Redis.RedisHealth>.Instance), new FakeTimeProvider());
        var ttls = Enumerable.Range(0, 2000).Select(_ => cache.Jittered(TimeSpan.FromHours(6))).ToList();
        Assert.All(ttls, t => Assert.InRange(t, TimeSpan.FromHours(5.4), TimeSpan.FromHours(6.6)));
        Assert.True(ttls.Distinct().Count() > 1000);
        Assert.True(ttls.Min() < TimeSpan.FromHours(5.5) && ttls.Max() > TimeSpan.FromHours(6.5));
        Assert.Equal("ipenrich:v1:commercial-t:720:10.0.0.1", cache.Key(IPAddress.Parse("10.0.0.1"), 720).Text);
    }
}
