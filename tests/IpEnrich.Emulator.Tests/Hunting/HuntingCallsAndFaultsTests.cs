using System.Net;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;

namespace IpEnrich.Emulator.Tests.Hunting;

/// <summary>/emulator/stats counts hunting apart from IP statistics; injected faults reach hunting too.</summary>
[Trait("Category", "Integration")]
public sealed class HuntingCallsAndFaultsTests
{
    [Fact]
    public async Task Emulator_stats_count_hunting_calls_apart_and_the_call_log_keeps_ip_statistics_only()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var statsToken = await emulator.GetTokenAsync();
        var graphToken = await emulator.GetGraphTokenAsync();
        (await emulator.GetStatsAsync("10.0.0.1", statsToken)).Dispose();
        (await emulator.GetStatsAsync("10.0.0.2", statsToken)).Dispose();
        (await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), graphToken)).Dispose();
        (await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.2"]), graphToken)).Dispose();
        (await emulator.RunHuntingQueryAsync("DeviceNetworkEvents | take 1", graphToken)).Dispose();

        var (total, byStatus) = await emulator.GetCallsAsync();
        var (huntingTotal, huntingByStatus) = await emulator.GetHuntingCallsAsync();
        Assert.Equal(2, total);
        Assert.Equal(new Dictionary<string, long> { ["200"] = 2 }, byStatus);
        Assert.Equal(3, huntingTotal);
        Assert.Equal(new Dictionary<string, long> { ["200"] = 2, ["400"] = 1 }, huntingByStatus);
        Assert.Equal(["10.0.0.1", "10.0.0.2"], (await emulator.GetCallLogAsync()).Select(c => c.Ip));
    }

    [Fact]
    public async Task Fail_next_answers_hunting_with_the_injected_status_then_recovers()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetGraphTokenAsync();
        await emulator.SetFaultsAsync(new FaultOptions { FailNextCount = 1, FailNextStatus = 500 });

        using var failed = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        using var ok = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);

        await HuntingEndpointTests.AssertGraphError(failed, HttpStatusCode.InternalServerError, "UnknownError");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Forced_429_and_rejected_tokens_apply_to_hunting()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetGraphTokenAsync();

        await emulator.SetFaultsAsync(new FaultOptions { Force429Seconds = 30 });
        using var throttled = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        await HuntingEndpointTests.AssertGraphError(throttled, HttpStatusCode.TooManyRequests, "TooManyRequests");
        Assert.Equal(TimeSpan.FromSeconds(30), throttled.Headers.RetryAfter!.Delta);

        await emulator.SetFaultsAsync(new FaultOptions { RejectTokens = true });
        using var rejected = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        await HuntingEndpointTests.AssertGraphError(rejected, HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");

        await emulator.SetFaultsAsync(new FaultOptions { ErrorRate = 1.0 });
        using var errored = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        Assert.True(errored.StatusCode is HttpStatusCode.InternalServerError or HttpStatusCode.ServiceUnavailable);
    }

    [Fact]
    public async Task Injected_latency_delays_the_hunting_answer_on_the_emulator_clock()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetGraphTokenAsync();
        await emulator.SetFaultsAsync(new FaultOptions { LatencyMs = 5_000 });

        var pending = emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.False(pending.IsCompleted); // held: only the emulator's clock can release it
        // Advance until released: the request may reach its delay only after a given advance.
        await Eventually.UntilAsync(() =>
        {
            emulator.Time.Advance(TimeSpan.FromSeconds(5));
            return pending.IsCompleted;
        }, TimeSpan.FromSeconds(10), "the delayed hunting answer arrives", TestContext.Current.CancellationToken);
        using var response = await pending;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
