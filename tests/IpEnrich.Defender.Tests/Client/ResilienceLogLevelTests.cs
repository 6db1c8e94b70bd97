using IpEnrich.Defender.Tests.Support;
using Microsoft.Extensions.Logging;

namespace IpEnrich.Defender.Tests.Client;

public sealed class ResilienceLogLevelTests
{
    [Fact]
    public async Task Retries_and_failed_attempts_log_at_debug_and_an_opening_circuit_warns_once()
    {
        var stub = new StubHandler(_ => StubHandler.Json(System.Net.HttpStatusCode.ServiceUnavailable, """{"error":{"code":"ServiceUnavailable","message":"x"}}"""));
        await using var harness = ResponseParsingTests.Harness(stub, extra: new Dictionary<string, string?>
        {
            ["Defender:Resilience:MaxRetries"] = "1", ["Defender:Resilience:MinimumThroughput"] = "2", ["Defender:Resilience:FailureRatio"] = "0.5",
        });

        for (var i = 0; i < 6; i++)
        {
            var task = harness.Client.GetIpStatsAsync(System.Net.IPAddress.Parse("192.0.2.1"), 720, TestContext.Current.CancellationToken);
            while (!task.IsCompleted)
            {
                harness.Time.Advance(TimeSpan.FromSeconds(1)); // the retry's back-off runs on the fake clock
                await Task.Yield();
            }

            await task;
        }

        var polly = harness.Logs.GetSnapshot().Where(r => r.Category?.StartsWith("Polly", StringComparison.Ordinal) == true).ToList();
        Assert.Contains(polly, r => r.Level == LogLevel.Debug); // the attempts are still there for whoever needs them
        var loud = polly.Where(r => r.Level >= LogLevel.Warning).ToList();
        Assert.Single(loud); // the circuit opening, nothing per attempt
        Assert.Contains("OnCircuitOpened", loud[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_circuit_that_reopens_after_failed_probes_warns_once_and_its_closing_is_information_once()
    {
        var severity = new IpEnrich.Defender.Http.CircuitEventSeverity();
        Polly.Telemetry.ResilienceEventSeverity Of(string name) => severity.Of(new Polly.Telemetry.ResilienceEvent(Polly.Telemetry.ResilienceEventSeverity.Warning, name));

        Assert.Equal(Polly.Telemetry.ResilienceEventSeverity.Warning, Of("OnCircuitOpened"));
        Assert.Equal(Polly.Telemetry.ResilienceEventSeverity.Debug, Of("OnCircuitHalfOpened"));
        Assert.Equal(Polly.Telemetry.ResilienceEventSeverity.Debug, Of("OnCircuitOpened")); // the probe failed: still the same outage
        Assert.Equal(Polly.Telemetry.ResilienceEventSeverity.Debug, Of("OnRetry"));
        Assert.Equal(Polly.Telemetry.ResilienceEventSeverity.Information, Of("OnCircuitClosed"));
        Assert.Equal(Polly.Telemetry.ResilienceEventSeverity.Debug, Of("OnCircuitClosed"));
        Assert.Equal(Polly.Telemetry.ResilienceEventSeverity.Warning, Of("OnCircuitOpened")); // a new outage
    }
}
