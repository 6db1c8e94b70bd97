using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Http;
using IpEnrich.Defender.Tests.Support;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IpEnrich.Defender.Tests.Client;

/// <summary>The real client (real MSAL, real TLS, Polly pipeline) against the emulator; both on one fake clock.</summary>
[Trait("Category", "Integration")]
public sealed class EmulatorClientTests
{
    private static readonly IPAddress Seen = IPAddress.Parse("203.0.113.5");

    private static async Task<RunningEmulator> StartAsync(params string[] args)
    {
        var emulator = await RunningEmulator.StartAsync(args);
        await emulator.AddEventsAsync(("dev-1", "203.0.113.5", emulator.Time.GetUtcNow().AddHours(-1)));
        return emulator;
    }

    private static DefenderHarness Harness(RunningEmulator emulator, Dictionary<string, string?>? overrides = null, IRetryQuota? retryQuota = null)
    {
        var settings = emulator.DefenderSettings();
        foreach (var (k, v) in overrides ?? [])
        {
            settings[k] = v;
        }

        return new DefenderHarness(settings, emulator.Time, retryQuota is null ? null : services => services.AddSingleton(retryQuota));
    }

    [Fact]
    public async Task Client_secret_gets_a_token_and_a_200()
    {
        await using var emulator = await StartAsync();
        await using var harness = Harness(emulator);
        using var requests = new MetricCollector<long>(harness.Get<IpEnrichTelemetry>().ApiRequests);
        var result = await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken);
        Assert.Equal(1, Assert.IsType<IpStatsResult.Found>(result).Prevalence);
        Assert.IsType<IpStatsResult.NotSeen>(await harness.Client.GetIpStatsAsync(IPAddress.Parse("198.51.100.1"), 720, TestContext.Current.CancellationToken));
        Assert.All(requests.GetMeasurementSnapshot(), m => Assert.Equal(200, m.Tags["status_code"]));
        Assert.Equal(2, requests.GetMeasurementSnapshot().Count);
    }

    [Fact]
    public async Task Certificate_in_a_pem_file_and_in_a_pfx_file_each_get_a_token()
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=ipenrich", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var publicPem = TempFiles.Write(certificate.ExportCertificatePem());
        var fullPem = TempFiles.Write(certificate.ExportCertificatePem() + "\n" + key.ExportPkcs8PrivateKeyPem());
        var pfx = TempFiles.Write(string.Empty, ".pfx");
        await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pkcs12, "pfx-password"), TestContext.Current.CancellationToken);

        await using var emulator = await StartAsync(
            "--Emulator:Apps:0:TenantId=t", "--Emulator:Apps:0:ClientId=cert-app", "--Emulator:Apps:0:Roles:0=Ip.Read.All",
            $"--Emulator:Apps:0:CertificatePath={publicPem}");
        foreach (var (path, password) in new[] { (fullPem, (string?)null), (pfx, "pfx-password") })
        {
            await using var harness = Harness(emulator, new()
            {
                ["Defender:TenantId"] = "t", ["Defender:ClientId"] = "cert-app", ["Defender:ClientSecret"] = null,
                ["Defender:CertificatePath"] = path, ["Defender:CertificatePassword"] = password,
            });
            Assert.IsType<IpStatsResult.Found>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken));
        }
    }

    [Fact]
    public async Task Federated_token_file_gets_a_token()
    {
        using var issuerKey = RSA.Create(2048);
        const string Issuer = "https://oidc.test.invalid/cluster";
        const string Subject = "system:serviceaccount:security:ipenrich";
        await using var emulator = await StartAsync(
            "--Emulator:Apps:0:TenantId=t", "--Emulator:Apps:0:ClientId=wi-app", "--Emulator:Apps:0:Roles:0=Ip.Read.All",
            $"--Emulator:Apps:0:FederatedIssuer={Issuer}", $"--Emulator:Apps:0:FederatedSubject={Subject}",
            $"--Emulator:Apps:0:FederatedKeyPath={TempFiles.Write(issuerKey.ExportSubjectPublicKeyInfoPem())}");
        var tokenFile = TempFiles.Write(new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "api://AzureADTokenExchange",
            Claims = new Dictionary<string, object> { ["sub"] = Subject },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(issuerKey), SecurityAlgorithms.RsaSha256),
        }));

        // Workload identity sets only the standard Azure variables.
        await using var harness = Harness(emulator, new()
        {
            ["Defender:TenantId"] = null, ["Defender:ClientId"] = null, ["Defender:ClientSecret"] = null,
            ["AZURE_TENANT_ID"] = "t", ["AZURE_CLIENT_ID"] = "wi-app", ["AZURE_FEDERATED_TOKEN_FILE"] = tokenFile,
        });
        Assert.IsType<IpStatsResult.Found>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken));

        // The kubelet rotates the file; the next acquisition must read the new content (here: another subject, refused).
        await File.WriteAllTextAsync(tokenFile, new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = "api://AzureADTokenExchange",
            Claims = new Dictionary<string, object> { ["sub"] = "system:serviceaccount:other:rotated" },
            Expires = DateTime.UtcNow.AddHours(1),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(issuerKey), SecurityAlgorithms.RsaSha256),
        }), TestContext.Current.CancellationToken);
        emulator.Time.Advance(TimeSpan.FromHours(2)); // the cached access token expires at the API: 401 → refresh → re-read
        var failed = Assert.IsType<IpStatsResult.Failed>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken));
        Assert.Equal("authentication failed: invalid_client (HTTP 401)", failed.Reason);
    }

    [Fact]
    public async Task A_burst_on_a_cold_token_cache_asks_the_identity_provider_once()
    {
        await using var emulator = await StartAsync();
        await using var harness = Harness(emulator);

        var burst = Enumerable.Range(0, 100).Select(_ => harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken)).ToArray();
        var results = await Task.WhenAll(burst);

        Assert.All(results, r => Assert.IsType<IpStatsResult.Found>(r));
        var acquisitions = harness.Logs.GetSnapshot().Count(r => r.Message.StartsWith("Defender access token acquired from", StringComparison.Ordinal));
        Assert.Equal(1, acquisitions);
    }

    [Fact]
    public async Task Legacy_404_is_not_seen()
    {
        await using var emulator = await StartAsync("--Emulator:LegacyNotFound=true");
        await using var harness = Harness(emulator);
        Assert.IsType<IpStatsResult.NotSeen>(await harness.Client.GetIpStatsAsync(IPAddress.Parse("198.51.100.1"), 720, TestContext.Current.CancellationToken));
        Assert.Equal(1, (await emulator.GetCallsAsync()).ByStatus["404"]);
    }

    [Fact]
    public async Task Expired_token_401_is_refreshed_and_retried_once()
    {
        await using var emulator = await StartAsync();
        await using var harness = Harness(emulator);
        Assert.IsType<IpStatsResult.Found>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken));
        // MSAL still holds the token (its cache uses the real clock); the emulator now considers it expired.
        emulator.Time.Advance(TimeSpan.FromHours(2));
        Assert.IsType<IpStatsResult.NotSeen>(await harness.Client.GetIpStatsAsync(Seen, 1, TestContext.Current.CancellationToken));
        var (_, byStatus) = await emulator.GetCallsAsync();
        Assert.Equal(2, byStatus["200"]);
        Assert.Equal(1, (await emulator.GetCallsAsync(Unauthenticated)).ByStatus["401"]);
    }

    private const string Unauthenticated = "(unauthenticated)";

    [Fact]
    public async Task Forbidden_403_is_a_permanent_failure()
    {
        await using var emulator = await StartAsync("--Emulator:Apps:0:TenantId=t", "--Emulator:Apps:0:ClientId=weak", "--Emulator:Apps:0:ClientSecret=s");
        await using var harness = Harness(emulator, new() { ["Defender:TenantId"] = "t", ["Defender:ClientId"] = "weak", ["Defender:ClientSecret"] = "s" });
        var failed = Assert.IsType<IpStatsResult.Failed>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken));
        Assert.False(failed.Transient);
        Assert.Equal(403, failed.StatusCode);
    }

    [Fact]
    public async Task Throttled_429_is_reported_with_retry_after_and_never_retried()
    {
        await using var emulator = await StartAsync();
        await using var harness = Harness(emulator);
        await emulator.SetFaultsAsync(new FaultOptions { Force429Seconds = 30 });
        var result = await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken);
        Assert.Equal(new IpStatsResult.Throttled(TimeSpan.FromSeconds(30)), result);
        Assert.Equal(1, (await emulator.GetCallsAsync()).Total);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(503)]
    public async Task Server_errors_are_retried_with_backoff_until_recovery(int status)
    {
        await using var emulator = await StartAsync();
        await using var harness = Harness(emulator);
        // Warm up (token, TLS connection) first: the fake clock is only moved while the client waits on a backoff.
        Assert.IsType<IpStatsResult.Found>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken));
        await emulator.SetFaultsAsync(new FaultOptions { FailNextCount = 2, FailNextStatus = status });
        var result = await harness.RunAsync(harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken), TimeSpan.FromMilliseconds(50));
        Assert.IsType<IpStatsResult.Found>(result);
        var (total, byStatus) = await emulator.GetCallsAsync();
        Assert.Equal(4, total);
        Assert.Equal(2, byStatus[status.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
    }

    [Fact]
    public async Task Each_retry_takes_a_slot_from_the_retry_quota_and_none_is_sent_without_one()
    {
        await using var emulator = await StartAsync();
        var quota = new CountingRetryQuota(slots: 1);
        await using var harness = Harness(emulator, retryQuota: quota);
        Assert.IsType<IpStatsResult.Found>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken));
        await emulator.SetFaultsAsync(new FaultOptions { FailNextCount = 3, FailNextStatus = 503 });
        var result = await harness.RunAsync(harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken), TimeSpan.FromMilliseconds(50));

        var failed = Assert.IsType<IpStatsResult.Failed>(result);
        Assert.Equal((503, true, false), (failed.StatusCode, failed.Transient, failed.NotSent)); // the last answer stands
        Assert.Equal(2, (await emulator.GetCallsAsync()).ByStatus["503"]); // the first ask and the one retry the quota allowed
        Assert.Equal((1, 1, 1, 0), (quota.Taken, quota.Refused, quota.Spent, quota.Unused));
    }

    [Fact]
    public async Task A_retry_stopped_by_the_opening_circuit_frees_its_slot_and_the_sent_attempt_still_counts()
    {
        await using var emulator = await StartAsync();
        var quota = new CountingRetryQuota(slots: 10);
        await using var harness = Harness(emulator, new()
        {
            ["Defender:Resilience:MaxRetries"] = "2",
            ["Defender:Resilience:MinimumThroughput"] = "3",
            ["Defender:Resilience:FailureRatio"] = "0.5",
        }, quota);
        Assert.IsType<IpStatsResult.Found>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken));
        await emulator.SetFaultsAsync(new FaultOptions { FailNextCount = 100, FailNextStatus = 503 });
        var result = await harness.RunAsync(harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken), TimeSpan.FromMilliseconds(50));

        // One success and two failures open the circuit: the second retry never leaves.
        var failed = Assert.IsType<IpStatsResult.Failed>(result);
        Assert.StartsWith("circuit open", failed.Reason, StringComparison.Ordinal);
        Assert.False(failed.NotSent); // the API counted the first attempt: its caller's slot stays spent
        Assert.Equal(2, (await emulator.GetCallsAsync()).ByStatus["503"]);
        Assert.Equal((2, 1, 1), (quota.Taken, quota.Spent, quota.Unused));
    }

    [Fact]
    public async Task Latency_beyond_the_timeouts_is_a_transient_timeout()
    {
        await using var emulator = await StartAsync();
        await using var harness = Harness(emulator);
        await emulator.SetFaultsAsync(new FaultOptions { LatencyMs = 120_000 });
        var result = await harness.RunAsync(harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken), TimeSpan.FromSeconds(1));
        var failed = Assert.IsType<IpStatsResult.Failed>(result);
        Assert.True(failed.Transient);
        Assert.Equal("timeout", failed.Reason);
        Assert.True(harness.Time.GetUtcNow() - emulator.Time.GetUtcNow() < TimeSpan.FromSeconds(1)); // one clock
    }

    [Fact]
    public async Task Circuit_opens_after_failures_fails_fast_then_half_opens_and_closes()
    {
        await using var emulator = await StartAsync();
        await using var harness = Harness(emulator, new()
        {
            ["Defender:Resilience:MaxRetries"] = "0",
            ["Defender:Resilience:MinimumThroughput"] = "2",
            ["Defender:Resilience:FailureRatio"] = "0.5",
            ["Defender:Resilience:BreakDuration"] = "00:00:10",
        });
        await emulator.SetFaultsAsync(new FaultOptions { FailNextCount = 100, FailNextStatus = 503 });
        for (var i = 0; i < 2; i++)
        {
            Assert.Equal(503, Assert.IsType<IpStatsResult.Failed>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken)).StatusCode);
        }

        var open = Assert.IsType<IpStatsResult.Failed>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken));
        Assert.StartsWith("circuit open", open.Reason, StringComparison.Ordinal);
        Assert.True(open.Transient);
        Assert.Equal(2, (await emulator.GetCallsAsync()).Total); // failed fast: no request left

        await emulator.SetFaultsAsync(new FaultOptions());
        emulator.Time.Advance(TimeSpan.FromSeconds(10));
        Assert.IsType<IpStatsResult.Found>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken)); // half-open probe
        Assert.IsType<IpStatsResult.Found>(await harness.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken)); // closed
        Assert.Equal(4, (await emulator.GetCallsAsync()).Total);
    }

    [Fact]
    public async Task Secrets_and_tokens_never_reach_the_logs()
    {
        await using var emulator = await StartAsync();
        await using var good = Harness(emulator);
        await good.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken);
        await using var bad = Harness(emulator, new() { ["Defender:ClientSecret"] = "wrong-secret-value" });
        var failed = Assert.IsType<IpStatsResult.Failed>(await bad.Client.GetIpStatsAsync(Seen, 720, TestContext.Current.CancellationToken));
        Assert.Contains("invalid_client", failed.Reason, StringComparison.Ordinal);

        var token = await emulator.GetTokenAsync();
        var everything = string.Join('\n', good.Logs.GetSnapshot().Concat(bad.Logs.GetSnapshot()).Select(r => r.Message + " " + r.Exception));
        Assert.NotEmpty(good.Logs.GetSnapshot());
        Assert.DoesNotContain(EmulatorOptions.DefaultClientSecret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-value", everything, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[0] + "." + token.Split('.')[1], everything, StringComparison.Ordinal);
        Assert.DoesNotContain("eyJ", everything, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-secret-value", failed.Reason, StringComparison.Ordinal);
    }
}
