using System.Net;
using System.Text.Json;
using IpEnrich.Testing;

namespace IpEnrich.Emulator.Tests.Api;

/// <summary>Each seed-documented (and API-NOTES) behaviour of GET /api/ips/{ip}/stats, named after what it checks.</summary>
[Trait("Category", "Integration")]
public sealed class StatsApiTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Seed_200_ip_seen_returns_both_prevalence_fields_dates_and_odata_context()
    {
        await using var emulator = await RunningEmulator.StartAsync("--now", Now.ToString("O"));
        await emulator.AddEventsAsync(("dev-1", "10.209.67.177", Now.AddHours(-5)), ("dev-2", "10.209.67.177", Now.AddHours(-1)));
        using var response = await emulator.GetStatsAsync("10.209.67.177", await emulator.GetTokenAsync(), "?lookBackHours=48");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal("4.0", Assert.Single(response.Headers.GetValues("OData-Version")));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var root = body.RootElement;
        Assert.Equal($"https://{emulator.BaseAddress.Authority}/api/$metadata#microsoft.windowsDefenderATP.api.InOrgIPStats", root.GetProperty("@odata.context").GetString());
        Assert.Equal("10.209.67.177", root.GetProperty("ipAddress").GetString());
        Assert.Equal("2", root.GetProperty("orgPrevalence").GetString());
        Assert.Equal(2, root.GetProperty("organizationPrevalence").GetInt32());
        Assert.Equal("2026-11-20T07:00:00Z", root.GetProperty("orgFirstSeen").GetString());
        Assert.Equal("2026-11-20T11:00:00Z", root.GetProperty("orgLastSeen").GetString());
    }

    [Fact]
    public async Task Current_behaviour_never_seen_ip_is_200_with_prevalence_0_and_null_dates()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var response = await emulator.GetStatsAsync("198.51.100.200", await emulator.GetTokenAsync());
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("0", body.RootElement.GetProperty("orgPrevalence").GetString());
        Assert.Equal(0, body.RootElement.GetProperty("organizationPrevalence").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("orgFirstSeen").ValueKind);
        Assert.Equal(JsonValueKind.Null, body.RootElement.GetProperty("orgLastSeen").ValueKind);
    }

    [Fact]
    public async Task Seed_404_ip_does_not_exist_in_legacy_mode()
    {
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:LegacyNotFound=true");
        using var response = await emulator.GetStatsAsync("198.51.100.200", await emulator.GetTokenAsync());
        await AssertError(response, HttpStatusCode.NotFound, "NotFound");
    }

    [Theory]
    [InlineData("1.2.3")]
    [InlineData("999.1.1.1")]
    [InlineData("not-an-ip")]
    [InlineData("1.2.3.4%2F..%2F..%2Fmachines")]
    [InlineData("fe80::1%25eth0")]
    [InlineData("[::1]")]
    [InlineData("0x7f.1.1.1")]
    public async Task Invalid_ip_is_400_InvalidIpAddress(string ip)
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var response = await emulator.GetStatsAsync(ip, await emulator.GetTokenAsync());
        var message = await AssertError(response, HttpStatusCode.BadRequest, "InvalidIpAddress");
        Assert.StartsWith("IP address ", message, StringComparison.Ordinal);
        Assert.EndsWith(" is invalid.", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("?lookBackHours=0")]
    [InlineData("?lookBackHours=721")]
    [InlineData("?lookBackHours=-5")]
    [InlineData("?lookBackHours=abc")]
    [InlineData("?lookBackHours=1.5")]
    [InlineData("?lookBackHours=")]
    [InlineData("?lookBackHours=1&lookBackHours=2")]
    public async Task Look_back_hours_outside_1_to_720_or_not_an_int32_is_400_InvalidInput(string query)
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var response = await emulator.GetStatsAsync("10.0.0.1", await emulator.GetTokenAsync(), query);
        await AssertError(response, HttpStatusCode.BadRequest, "InvalidInput");
    }

    [Theory]
    [InlineData("?lookBackHours=1")]
    [InlineData("?lookBackHours=720")]
    [InlineData("")]
    public async Task Look_back_hours_is_optional_and_accepts_1_to_720(string query)
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var response = await emulator.GetStatsAsync("10.0.0.1", await emulator.GetTokenAsync(), query);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Seed_authorization_header_required_missing_token_is_401()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var response = await emulator.GetStatsAsync("10.0.0.1", token: null);
        await AssertError(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Invalid_token_is_401()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetTokenAsync();
        using var response = await emulator.GetStatsAsync("10.0.0.1", token[..^4] + "AAAA");
        await AssertError(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Expired_token_is_401()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetTokenAsync();
        emulator.Time.Advance(TimeSpan.FromSeconds(3600));
        using var response = await emulator.GetStatsAsync("10.0.0.1", token);
        await AssertError(response, HttpStatusCode.Unauthorized, "Unauthorized");
    }

    [Fact]
    public async Task Rejected_tokens_fault_answers_a_fresh_token_as_an_invalid_one_then_recovers()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetTokenAsync();
        await emulator.SetFaultsAsync(new IpEnrich.Emulator.Options.FaultOptions { RejectTokens = true });
        using var rejected = await emulator.GetStatsAsync("10.0.0.1", token);
        using var invalid = await emulator.GetStatsAsync("10.0.0.1", token[..^4] + "AAAA");

        Assert.Equal(await AssertError(invalid, HttpStatusCode.Unauthorized, "Unauthorized"), await AssertError(rejected, HttpStatusCode.Unauthorized, "Unauthorized"));
        Assert.Equal(invalid.Headers.WwwAuthenticate.ToString(), rejected.Headers.WwwAuthenticate.ToString());
        Assert.Equal("Bearer", rejected.Headers.WwwAuthenticate.ToString());

        await emulator.SetFaultsAsync(new IpEnrich.Emulator.Options.FaultOptions());
        using var accepted = await emulator.GetStatsAsync("10.0.0.1", token);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Fact]
    public async Task Seed_permission_ip_read_all_required_token_without_it_is_403()
    {
        await using var emulator = await RunningEmulator.StartAsync(
            "--Emulator:Apps:0:TenantId=t1", "--Emulator:Apps:0:ClientId=no-roles", "--Emulator:Apps:0:ClientSecret=s");
        var token = await emulator.GetTokenAsync("no-roles", "s", "t1");
        using var response = await emulator.GetStatsAsync("10.0.0.1", token);
        await AssertError(response, HttpStatusCode.Forbidden, "Forbidden");
    }

    [Fact]
    public async Task Every_error_has_a_unique_target()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var first = await emulator.GetStatsAsync("10.0.0.1", token: null);
        using var second = await emulator.GetStatsAsync("10.0.0.1", token: null);
        Assert.NotEqual(await Target(first), await Target(second));
    }

    [Fact]
    public async Task Calls_are_counted_per_application_and_status()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetTokenAsync();
        (await emulator.GetStatsAsync("10.0.0.1", token)).Dispose();
        (await emulator.GetStatsAsync("bad", token)).Dispose();
        var (total, byStatus) = await emulator.GetCallsAsync();
        Assert.Equal(2, total);
        Assert.Equal(1, byStatus["200"]);
        Assert.Equal(1, byStatus["400"]);
    }

    internal static async Task<string> AssertError(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.True(Guid.TryParse(error.GetProperty("target").GetString(), out _));
        return error.GetProperty("message").GetString()!;
    }

    private static async Task<string> Target(HttpResponseMessage response)
    {
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("error").GetProperty("target").GetString()!;
    }
}
