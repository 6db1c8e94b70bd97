using System.Net;
using IpEnrich.Defender.Auth;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Defender.Tests.Client;

/// <summary>Every response shape and status the API is known to give, through a stub primary handler.</summary>
public sealed class ResponseParsingTests
{
    private static readonly Dictionary<string, string?> Settings = new()
    {
        ["Defender:TenantId"] = "t",
        ["Defender:ClientId"] = "c",
        ["Defender:ClientSecret"] = "s",
        // Loopback only: a test that failed to install its stub must not reach any real host.
        ["Defender:BaseUrl"] = "https://127.0.0.1:9",
        ["Defender:AuthorityHost"] = "https://127.0.0.1:9",
    };

    internal static DefenderHarness Harness(StubHandler stub, CountingTokenSource? tokens = null, IDictionary<string, string?>? extra = null)
    {
        var settings = new Dictionary<string, string?>(Settings);
        foreach (var (k, v) in extra ?? new Dictionary<string, string?>())
        {
            settings[k] = v;
        }

        return new DefenderHarness(
            settings,
            new FakeTimeProvider(DateTimeOffset.UtcNow),
            services => services.AddSingleton<IAccessTokenSource>(tokens ?? new CountingTokenSource()),
            services => services.AddHttpClient<IDefenderClient, DefenderIpStatsClient>().ConfigurePrimaryHttpMessageHandler(() => stub));
    }

    private static async Task<IpStatsResult> Ask(HttpStatusCode status, string body, string? retryAfter = null)
    {
        var stub = new StubHandler(_ =>
        {
            var response = StubHandler.Json(status, body);
            if (retryAfter is not null)
            {
                response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
            }

            return response;
        });
        await using var harness = Harness(stub);
        return await harness.Client.GetIpStatsAsync(IPAddress.Parse("10.209.67.177"), 48, TestContext.Current.CancellationToken);
    }

    [Fact]
    public async Task Older_seed_shape_string_org_prevalence()
    {
        var result = await Ask(HttpStatusCode.OK, """{"@odata.context":"x","ipAddress":"10.209.67.177","orgPrevalence":"63515","orgFirstSeen":"2017-07-30T13:36:06Z","orgLastSeen":"2017-08-29T13:32:59Z"}""");
        Assert.Equal(new IpStatsResult.Found(63515, new DateTimeOffset(2017, 7, 30, 13, 36, 6, TimeSpan.Zero), new DateTimeOffset(2017, 8, 29, 13, 32, 59, TimeSpan.Zero)), result);
    }

    [Fact]
    public async Task Newer_seed_shape_numeric_organization_prevalence()
    {
        var result = await Ask(HttpStatusCode.OK, """{"ipAddress":"10.209.67.177","organizationPrevalence":63515,"orgFirstSeen":"2017-07-30T13:36:06Z","orgLastSeen":"2017-08-29T13:32:59Z"}""");
        Assert.Equal(63515, Assert.IsType<IpStatsResult.Found>(result).Prevalence);
    }

    [Fact]
    public async Task Live_shape_both_fields_and_unknown_fields()
    {
        var result = await Ask(HttpStatusCode.OK, """{"ipAddress":"10.209.67.177","orgPrevalence":"7","organizationPrevalence":7,"orgFirstSeen":"2026-11-01T00:00:00.1234567Z","orgLastSeen":null,"newField":{"x":[1,2]}}""");
        var found = Assert.IsType<IpStatsResult.Found>(result);
        Assert.Equal(7, found.Prevalence);
        Assert.Null(found.LastSeen);
    }

    [Fact]
    public async Task Current_never_seen_is_not_seen()
    {
        var result = await Ask(HttpStatusCode.OK, """{"ipAddress":"10.209.67.177","orgPrevalence":"0","organizationPrevalence":0,"orgFirstSeen":null,"orgLastSeen":null}""");
        Assert.IsType<IpStatsResult.NotSeen>(result);
    }

    [Fact]
    public async Task Legacy_404_is_not_seen() =>
        Assert.IsType<IpStatsResult.NotSeen>(await Ask(HttpStatusCode.NotFound, """{"error":{"code":"NotFound","message":"x","target":"t"}}"""));

    [Fact]
    public async Task Invalid_ip_address_400_is_invalid() =>
        Assert.Equal(new IpStatsResult.Invalid("IP address 1.2.3 is invalid."),
            await Ask(HttpStatusCode.BadRequest, """{"error":{"code":"InvalidIpAddress","message":"IP address 1.2.3 is invalid.","target":"t"}}"""));

    [Fact]
    public async Task Other_400_is_a_permanent_failure()
    {
        var failed = Assert.IsType<IpStatsResult.Failed>(await Ask(HttpStatusCode.BadRequest, """{"error":{"code":"InvalidInput","message":"x","target":"t"}}"""));
        Assert.False(failed.Transient);
        Assert.Contains("InvalidInput", failed.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("42", 42)]
    [InlineData(null, 60)]
    public async Task Throttled_429_carries_retry_after(string? header, int seconds) =>
        Assert.Equal(new IpStatsResult.Throttled(TimeSpan.FromSeconds(seconds)),
            await Ask(HttpStatusCode.TooManyRequests, """{"error":{"code":"TooManyRequests","message":"x","target":"t"}}""", header));

    [Fact]
    public async Task Malformed_200_is_a_failure_not_an_exception()
    {
        Assert.IsType<IpStatsResult.Failed>(await Ask(HttpStatusCode.OK, "<html>gateway</html>"));
        Assert.IsType<IpStatsResult.Failed>(await Ask(HttpStatusCode.OK, """{"ipAddress":"10.209.67.177"}"""));
    }

    [Fact]
    public async Task A_401_refreshes_the_token_once_and_retries()
    {
        var tokens = new CountingTokenSource();
        var stub = new StubHandler(request => request.Headers.Authorization!.Parameter == "token-0"
            ? StubHandler.Json(HttpStatusCode.Unauthorized, """{"error":{"code":"Unauthorized","message":"expired","target":"t"}}""")
            : StubHandler.Json(HttpStatusCode.OK, """{"organizationPrevalence":3}"""));
        await using var harness = Harness(stub, tokens);
        var result = await harness.Client.GetIpStatsAsync(IPAddress.Parse("192.0.2.1"), 720, TestContext.Current.CancellationToken);
        Assert.Equal(3, Assert.IsType<IpStatsResult.Found>(result).Prevalence);
        Assert.Equal(1, tokens.Refreshes);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Fact]
    public async Task A_401_after_refresh_is_a_permanent_failure_without_looping()
    {
        var tokens = new CountingTokenSource();
        var stub = new StubHandler(_ => StubHandler.Json(HttpStatusCode.Unauthorized, """{"error":{"code":"Unauthorized","message":"x","target":"t"}}"""));
        await using var harness = Harness(stub, tokens);
        var failed = Assert.IsType<IpStatsResult.Failed>(await harness.Client.GetIpStatsAsync(IPAddress.Parse("192.0.2.1"), 720, TestContext.Current.CancellationToken));
        Assert.False(failed.Transient);
        Assert.Equal(1, tokens.Refreshes);
        Assert.Equal(2, stub.Requests.Count);
    }

    [Theory]
    [InlineData("fe80::1%eth0", "fe80::1")]
    [InlineData("::ffff:1.2.3.4", "1.2.3.4")]
    [InlineData("2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1")]
    public async Task Only_the_canonical_address_reaches_the_url(string input, string canonical)
    {
        var stub = new StubHandler(_ => StubHandler.Json(HttpStatusCode.OK, """{"organizationPrevalence":0}"""));
        await using var harness = Harness(stub);
        await harness.Client.GetIpStatsAsync(IPAddress.Parse(input), 24, TestContext.Current.CancellationToken);
        Assert.Equal($"/api/ips/{canonical}/stats", Assert.Single(stub.Requests).AbsolutePath);
        Assert.Equal("?lookBackHours=24", stub.Requests[0].Query);
    }

    [Fact]
    public async Task No_address_can_shape_the_path_beyond_its_own_segment()
    {
        var stub = new StubHandler(_ => StubHandler.Json(HttpStatusCode.OK, """{"organizationPrevalence":0}"""));
        await using var harness = Harness(stub);
        var random = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[i % 2 == 0 ? 4 : 16];
            random.NextBytes(bytes);
            var ip = new IPAddress(bytes);
            await harness.Client.GetIpStatsAsync(ip, 720, TestContext.Current.CancellationToken);
            var segments = stub.Requests[^1].AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(["api", "ips", segments[2], "stats"], segments);
            Assert.Equal(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, IPAddress.Parse(segments[2]));
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(721)]
    public async Task Look_back_hours_outside_1_to_720_is_never_sent(int hours)
    {
        var stub = new StubHandler(_ => StubHandler.Json(HttpStatusCode.OK, "{}"));
        await using var harness = Harness(stub);
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => harness.Client.GetIpStatsAsync(IPAddress.Loopback, hours, TestContext.Current.CancellationToken));
        Assert.Empty(stub.Requests);
    }
}
