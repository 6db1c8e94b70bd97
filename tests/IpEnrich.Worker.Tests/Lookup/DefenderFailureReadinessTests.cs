using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Lookup;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IpEnrich.Worker.Tests.Lookup;

/// <summary>
/// Each way the Defender API refuses this identity or its TLS fails, provoked on the emulator as the service does it,
/// makes the lookup readiness check Degraded with the reason (DefenderApiStatus), until an answer clears it.
/// </summary>
[Trait("Category", "Integration")]
public sealed class DefenderFailureReadinessTests
{
    private static async Task<HealthCheckResult> LookUpAndCheckAsync(ServiceProvider provider, string ip)
    {
        await provider.GetRequiredService<LookupService>().LookupAsync([IPAddress.Parse(ip)], AlertPriority.Critical,
            TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
        return await provider.GetRequiredService<LookupHealthCheck>().CheckHealthAsync(new HealthCheckContext(), TestContext.Current.CancellationToken);
    }

    private static ServiceProvider Lookups(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(configuration).AddLogging();
        services.AddIpEnrichLookups(configuration);
        return services.BuildServiceProvider();
    }

    [Fact]
    public async Task A_401_to_a_fresh_token_is_degraded_with_the_reason_until_the_api_answers_again()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await emulator.SetFaultsAsync(new FaultOptions { RejectTokens = true });
        await using var provider = Lookups(emulator.DefenderSettings());

        var failing = await LookUpAndCheckAsync(provider, "203.0.113.5");

        Assert.Equal(HealthStatus.Degraded, failing.Status);
        Assert.StartsWith("Defender API: the Defender API answered 401 Unauthorized to this identity's token", failing.Description, StringComparison.Ordinal);
        // The client asked again with a fresh token before reporting it: two 401s, no more.
        Assert.Equal(2, (await emulator.GetCallsAsync("(unauthenticated)")).ByStatus["401"]);

        await emulator.SetFaultsAsync(new FaultOptions());
        Assert.Equal(HealthStatus.Healthy, (await LookUpAndCheckAsync(provider, "203.0.113.6")).Status);
    }

    [Fact]
    public async Task A_403_for_an_app_without_the_permission_is_degraded_with_the_reason()
    {
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Apps:0:TenantId=t", "--Emulator:Apps:0:ClientId=no-roles", "--Emulator:Apps:0:ClientSecret=s");
        var settings = emulator.DefenderSettings();
        (settings["Defender:TenantId"], settings["Defender:ClientId"], settings["Defender:ClientSecret"]) = ("t", "no-roles", "s");
        await using var provider = Lookups(settings);

        var failing = await LookUpAndCheckAsync(provider, "203.0.113.5");

        Assert.Equal(HealthStatus.Degraded, failing.Status);
        Assert.StartsWith("Defender API: the Defender API answered 403 Forbidden to this identity's token", failing.Description, StringComparison.Ordinal);
        Assert.Equal(1, (await emulator.GetCallsAsync("no-roles")).ByStatus["403"]);
    }

    [Fact]
    public async Task An_api_certificate_outside_the_trusted_chain_is_degraded_with_the_reason()
    {
        // The authority is trusted (a token is issued); the API presents a certificate no configured CA signed.
        await using var authority = await RunningEmulator.StartAsync();
        await using var api = await RunningEmulator.StartAsync();
        var settings = authority.DefenderSettings();
        settings["Defender:BaseUrl"] = api.BaseAddress.ToString().TrimEnd('/');
        await using var provider = Lookups(settings);

        var failing = await LookUpAndCheckAsync(provider, "203.0.113.5");

        Assert.Equal(HealthStatus.Degraded, failing.Status);
        Assert.StartsWith("Defender API: TLS to the Defender API failed: ", failing.Description, StringComparison.Ordinal);
        Assert.Contains("remote certificate was rejected", failing.Description, StringComparison.Ordinal); // the handshake's own reason
        Assert.Equal(0, (await api.GetCallsAsync()).Total);
        Assert.Equal(0, (await api.GetCallsAsync("(unauthenticated)")).Total);
    }
}
