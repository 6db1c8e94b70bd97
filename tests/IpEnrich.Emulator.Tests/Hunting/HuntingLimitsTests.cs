using System.Net;
using IpEnrich.Testing;

namespace IpEnrich.Emulator.Tests.Hunting;

/// <summary>Hunting's limits on the fake clock: calls per minute, the CPU allowance per 15-minute cycle, rows per result.</summary>
[Trait("Category", "Integration")]
public sealed class HuntingLimitsTests
{
    [Fact]
    public async Task Call_per_minute_plus_one_is_429_with_retry_after_and_the_call_limit_named()
    {
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Hunting:PerMinute=5");
        var token = await emulator.GetGraphTokenAsync();
        for (var i = 0; i < 5; i++)
        {
            emulator.Time.Advance(TimeSpan.FromSeconds(1));
            using var ok = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var throttled = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        var error = await HuntingEndpointTests.AssertGraphError(throttled, HttpStatusCode.TooManyRequests, "TooManyRequests");
        Assert.Contains("5 calls per minute", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(56), throttled.Headers.RetryAfter!.Delta); // the first call leaves the minute then

        emulator.Time.Advance(TimeSpan.FromSeconds(56));
        using var after = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task The_default_call_limit_is_45_per_minute()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetGraphTokenAsync();
        for (var i = 0; i < 45; i++)
        {
            using var ok = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        }

        using var throttled = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.NotNull(throttled.Headers.RetryAfter);
    }

    [Fact]
    public async Task Spent_cpu_is_429_without_retry_after_until_the_next_quarter_hour()
    {
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Hunting:CpuRowsPerCycle=10");
        var now = emulator.Time.GetUtcNow();
        var quarter = TimeSpan.FromMinutes(15).Ticks;
        emulator.Time.Advance(TimeSpan.FromTicks(quarter - (now.UtcTicks % quarter)) + TimeSpan.FromMinutes(1)); // hh:01, hh:16, …
        var start = emulator.Time.GetUtcNow();
        await emulator.AddEventsAsync([.. Enumerable.Range(0, 10).Select(i => ($"dev-{i}", "10.0.0.1", start.AddMinutes(-i - 1)))]);
        var token = await emulator.GetGraphTokenAsync();

        using var spends = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token); // examines all 10 events
        Assert.Equal(HttpStatusCode.OK, spends.StatusCode);
        emulator.Time.Advance(TimeSpan.FromSeconds(30));
        using var blocked = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);

        var error = await HuntingEndpointTests.AssertGraphError(blocked, HttpStatusCode.TooManyRequests, "TooManyRequests");
        Assert.Equal("You have exceeded processing resources allocated to this tenant. You can run queries again in 00:13:30.", error.GetProperty("message").GetString());
        Assert.Null(blocked.Headers.RetryAfter);

        emulator.Time.Advance(TimeSpan.FromMinutes(13.5) - TimeSpan.FromSeconds(1));
        using var stillBlocked = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        Assert.Equal(HttpStatusCode.TooManyRequests, stillBlocked.StatusCode);
        emulator.Time.Advance(TimeSpan.FromSeconds(1));
        using var nextCycle = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        Assert.Equal(HttpStatusCode.OK, nextCycle.StatusCode);
    }

    [Fact]
    public async Task A_result_over_the_row_limit_is_400_naming_the_limit()
    {
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Hunting:MaxResultRows=2");
        var at = emulator.Time.GetUtcNow().AddMinutes(-5);
        await emulator.AddEventsAsync(("d1", "10.0.0.1", at), ("d2", "10.0.0.2", at), ("d3", "10.0.0.3", at));
        var token = await emulator.GetGraphTokenAsync();

        using var tooMany = await emulator.RunHuntingQueryAsync("DeviceNetworkEvents | where Timestamp > ago(1h)", token);
        using var enough = await emulator.RunHuntingQueryAsync("DeviceNetworkEvents | where RemoteIP in (\"10.0.0.1\", \"10.0.0.2\")", token);

        var error = await HuntingEndpointTests.AssertGraphError(tooMany, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Contains("limit of 2 rows", error.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, enough.StatusCode);
    }
}
