using System.Net;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;

namespace IpEnrich.Emulator.Tests.Quota;

/// <summary>Seed limitation: 100 calls per minute and 1,500 per hour, per application; Retry-After that is sufficient.</summary>
[Trait("Category", "Integration")]
public sealed class QuotaTests
{
    [Fact]
    public async Task The_101st_call_within_a_minute_is_429_and_retry_after_honoured_gives_200()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetTokenAsync();
        for (var i = 0; i < 100; i++)
        {
            emulator.Time.Advance(TimeSpan.FromMilliseconds(100));
            using var ok = await emulator.GetStatsAsync("10.0.0.1", token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var throttled = await emulator.GetStatsAsync("10.0.0.1", token);
        await Api.StatsApiTests.AssertError(throttled, HttpStatusCode.TooManyRequests, "TooManyRequests");
        var retryAfter = throttled.Headers.RetryAfter!.Delta!.Value;
        Assert.InRange(retryAfter.TotalSeconds, 50, 60);

        // Retrying earlier earns another 429.
        emulator.Time.Advance(retryAfter - TimeSpan.FromSeconds(1));
        using var early = await emulator.GetStatsAsync("10.0.0.1", token);
        Assert.Equal(HttpStatusCode.TooManyRequests, early.StatusCode);

        emulator.Time.Advance(TimeSpan.FromSeconds(1));
        using var after = await emulator.GetStatsAsync("10.0.0.1", token);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task The_1501st_call_within_an_hour_is_429_until_the_oldest_call_leaves_the_hour()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        for (var minute = 0; minute < 15; minute++)
        {
            var token = await emulator.GetTokenAsync();
            for (var i = 0; i < 100; i++)
            {
                using var ok = await emulator.GetStatsAsync("10.0.0.1", token);
                Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            }

            emulator.Time.Advance(TimeSpan.FromMinutes(1));
        }

        var fresh = await emulator.GetTokenAsync();
        using var throttled = await emulator.GetStatsAsync("10.0.0.1", fresh);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        var retryAfter = throttled.Headers.RetryAfter!.Delta!.Value;
        Assert.Equal(TimeSpan.FromSeconds(3600 - (15 * 60)), retryAfter);

        emulator.Time.Advance(retryAfter);
        using var after = await emulator.GetStatsAsync("10.0.0.1", fresh);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task Every_authenticated_answer_counts_but_throttled_ones_do_not()
    {
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:PerMinute=3");
        var token = await emulator.GetTokenAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await emulator.GetStatsAsync("bad", token)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await emulator.GetStatsAsync("10.0.0.1", token, "?lookBackHours=0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetStatsAsync("10.0.0.1", token)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await emulator.GetStatsAsync("10.0.0.1", token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await emulator.GetStatsAsync("10.0.0.1", null)).StatusCode);
        emulator.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetStatsAsync("10.0.0.1", token)).StatusCode);
    }

    [Fact]
    public async Task Quota_is_per_application()
    {
        await using var emulator = await RunningEmulator.StartAsync(
            "--Emulator:Quota:PerMinute=1",
            "--Emulator:Apps:0:TenantId=t", "--Emulator:Apps:0:ClientId=a", "--Emulator:Apps:0:ClientSecret=s", "--Emulator:Apps:0:Roles:0=Ip.Read.All",
            "--Emulator:Apps:1:TenantId=t", "--Emulator:Apps:1:ClientId=b", "--Emulator:Apps:1:ClientSecret=s", "--Emulator:Apps:1:Roles:0=Ip.Read.All");
        var a = await emulator.GetTokenAsync("a", "s", "t");
        var b = await emulator.GetTokenAsync("b", "s", "t");
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetStatsAsync("10.0.0.1", a)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetStatsAsync("10.0.0.1", b)).StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await emulator.GetStatsAsync("10.0.0.1", a)).StatusCode);
    }

    [Fact]
    public async Task Forced_429_window_answers_429_with_the_remaining_seconds_then_recovers()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetTokenAsync();
        await emulator.SetFaultsAsync(new FaultOptions { Force429Seconds = 30 });
        using var throttled = await emulator.GetStatsAsync("10.0.0.1", token);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(30), throttled.Headers.RetryAfter!.Delta);
        emulator.Time.Advance(TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetStatsAsync("10.0.0.1", token)).StatusCode);
    }

    [Fact]
    public async Task Injected_server_errors_and_latency_then_recovery()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetTokenAsync();
        await emulator.SetFaultsAsync(new FaultOptions { FailNextCount = 2, FailNextStatus = 500 });
        Assert.Equal(HttpStatusCode.InternalServerError, (await emulator.GetStatsAsync("10.0.0.1", token)).StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, (await emulator.GetStatsAsync("10.0.0.1", token)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetStatsAsync("10.0.0.1", token)).StatusCode);

        await emulator.SetFaultsAsync(new FaultOptions { LatencyMs = 5000 });
        var pending = emulator.GetStatsAsync("10.0.0.1", token);
        await Task.Delay(50, TestContext.Current.CancellationToken);
        Assert.False(pending.IsCompleted); // held by the injected latency on the emulator's clock
        emulator.Time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(HttpStatusCode.OK, (await pending).StatusCode);

        await emulator.SetFaultsAsync(new FaultOptions { ErrorRate = 1.0 });
        var status = (await emulator.GetStatsAsync("10.0.0.1", token)).StatusCode;
        Assert.Contains(status, new[] { HttpStatusCode.InternalServerError, HttpStatusCode.ServiceUnavailable });
    }
}
