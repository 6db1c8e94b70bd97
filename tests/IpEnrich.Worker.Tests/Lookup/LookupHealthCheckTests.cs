using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Options;
using IpEnrich.Defender.Auth;
using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Backlog;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Pipeline;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Lookup;

/// <summary>Readiness of the lookup path follows the Defender API's TLS/authentication status, with its reason, and reports the backlog.</summary>
public sealed class LookupHealthCheckTests
{
    [Fact]
    public async Task A_backlog_under_quota_stays_healthy_and_is_reported_with_its_size_and_oldest_age()
    {
        var time = new FakeTimeProvider();
        var redis = new RedisConnection(Options.Create(new RedisOptions()), NullLogger<RedisConnection>.Instance);
        using var telemetry = new TestTelemetry();
        var health = new RedisHealth(Options.Create(new RedisOptions()), telemetry.Instruments, time, NullLogger<RedisHealth>.Instance);
        var cache = new IpCacheStore(Options.Create(new CacheOptions()), Profile(), redis, health, time);
        await using var backlog = new BacklogScheduler(Options.Create(new BacklogOptions()), Options.Create(new EnrichmentOptions()), redis, health,
            Options.Create(new RedisOptions()), cache,
            new QuotaSpent(), new UnusedClient(), new StaticToken(), time, telemetry.Instruments, NullLoggerFactory.Instance);
        var check = new LookupHealthCheck(redis, cache, new DefenderApiStatus(), backlog);

        var idle = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(0L, idle.Data["backlog"]);
        Assert.Equal(0.0, idle.Data["backlogOldestSeconds"]);

        _ = await backlog.WantAsync([new LookupTarget(IPAddress.Parse("203.0.113.5"), 720), new LookupTarget(IPAddress.Parse("203.0.113.6"), 720)], AlertPriority.High);
        var wantedAt = time.GetUtcNow();
        time.Advance(TimeSpan.FromSeconds(90)); // the quota refuses every call: both stay wanted
        // The scheduler reads the backlog every 5 s (of fake time): step it until it has.
        await Eventually.UntilAsync(() => backlog.Snapshot.Total == 2 || Step(time), TimeSpan.FromSeconds(10), "the scheduler observed the backlog",
            TestContext.Current.CancellationToken);

        var result = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        var age = (time.GetUtcNow() - wantedAt).TotalSeconds;
        Assert.True(age >= 90, $"{age}");
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Equal(2L, result.Data["backlog"]);
        Assert.Equal(age, result.Data["backlogOldestSeconds"]);
        Assert.Equal($"single-instance mode: in-memory cache and local limiter; backlog 2 wanted lookups, oldest {age:0} s", result.Description);
    }

    [Fact]
    public async Task Degraded_with_the_reason_while_authentication_fails_and_healthy_after_an_answer()
    {
        var defender = new DefenderApiStatus();
        var redis = new RedisConnection(Options.Create(new RedisOptions()), NullLogger<RedisConnection>.Instance);
        using var telemetry = new TestTelemetry();
        var health = new RedisHealth(Options.Create(new RedisOptions()), telemetry.Instruments, TimeProvider.System, NullLogger<RedisHealth>.Instance);
        var cache = new IpCacheStore(Options.Create(new CacheOptions()), Profile(), redis, health,
            new FakeTimeProvider());
        await using var backlog = new BacklogScheduler(Options.Create(new BacklogOptions()), Options.Create(new EnrichmentOptions()), redis, health,
            Options.Create(new RedisOptions()), cache,
            new QuotaSpent(), new UnusedClient(), new StaticToken(), TimeProvider.System, telemetry.Instruments, NullLoggerFactory.Instance);
        var check = new LookupHealthCheck(redis, cache, defender, backlog);

        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status);

        defender.Failed("authentication failed for Defender:ClientId c (AADSTS7000215: Invalid client secret provided)");
        var failing = await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
        Assert.Equal(HealthStatus.Degraded, failing.Status);
        Assert.StartsWith("Defender API: authentication failed for Defender:ClientId c (AADSTS7000215", failing.Description, StringComparison.Ordinal);

        defender.Succeeded();
        Assert.Equal(HealthStatus.Healthy, (await check.CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken)).Status);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task A_wrong_client_secret_makes_readiness_degraded_naming_the_client()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var settings = emulator.DefenderSettings();
        settings["Defender:ClientSecret"] = "wrong-secret-value";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddIpEnrichLookups(configuration);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<LookupService>().LookupAsync([IPAddress.Parse("203.0.113.5")], AlertPriority.Critical,
            TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var result = await provider.GetRequiredService<LookupHealthCheck>().CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains($"authentication failed for Defender:ClientId {settings["Defender:ClientId"]} (AADSTS7000215", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-value", result.Description, StringComparison.Ordinal);
    }

    private static CacheProfile Profile() => new(Options.Create(new CacheOptions()), Options.Create(new DefenderOptions { TenantId = "t" }));

    private static bool Step(FakeTimeProvider time)
    {
        time.Advance(TimeSpan.FromSeconds(5));
        return false;
    }

    /// <summary>Every call refused for a minute: wanted lookups stay in the backlog.</summary>
    private sealed class QuotaSpent : IQuotaGate
    {
        public (int Minute, int Hour) Remaining => (0, 0);

        public Task<QuotaDecision> TryAcquireAsync(AlertPriority priority, CancellationToken cancellationToken) =>
            Task.FromResult(new QuotaDecision(false, TimeSpan.FromMinutes(1)));

        public Task RestampAsync(QuotaDecision decision, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task ReleaseAsync(QuotaDecision decision, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task PauseAsync(TimeSpan retryAfter, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private sealed class StaticToken : IAccessTokenSource
    {
        public Task<string> GetTokenAsync(CancellationToken cancellationToken) => Task.FromResult("token");

        public Task<string> RefreshAsync(string rejected, CancellationToken cancellationToken) => Task.FromResult("token");
    }

    private sealed class UnusedClient : IDefenderClient
    {
        public Task<IpStatsResult> GetIpStatsAsync(IPAddress ip, int lookBackHours, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("the quota never grants a call");
    }
}
