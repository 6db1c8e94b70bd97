using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Lookup;

/// <summary>Readiness of the lookup path follows the Defender API's TLS/authentication status, with its reason.</summary>
public sealed class LookupHealthCheckTests
{
    [Fact]
    public async Task Degraded_with_the_reason_while_authentication_fails_and_healthy_after_an_answer()
    {
        var defender = new DefenderApiStatus();
        var redis = new RedisConnection(Options.Create(new RedisOptions()), NullLogger<RedisConnection>.Instance);
        using var cache = new IpCacheStore(Options.Create(new CacheOptions()), Options.Create(new DefenderOptions { TenantId = "t" }), redis,
            new FakeTimeProvider(), NullLogger<IpCacheStore>.Instance);
        var check = new LookupHealthCheck(redis, cache, defender);

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
        services.AddLookupService(configuration);
        await using var provider = services.BuildServiceProvider();

        await provider.GetRequiredService<LookupService>().LookupAsync([IPAddress.Parse("203.0.113.5")], AlertPriority.Critical,
            TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        var result = await provider.GetRequiredService<LookupHealthCheck>().CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);

        Assert.Equal(HealthStatus.Degraded, result.Status);
        Assert.Contains($"authentication failed for Defender:ClientId {settings["Defender:ClientId"]} (AADSTS7000215", result.Description, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-value", result.Description, StringComparison.Ordinal);
    }
}
