using System.Net;
using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Hosting;

[Trait("Category", "Integration")]
public sealed class ReadinessTests
{
    [Fact]
    public async Task Readiness_turns_unhealthy_while_no_broker_is_reachable_and_recovers_with_the_broker()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cluster = PipelineSetup.Cluster(2);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        var settings = PipelineSetup.Settings(emulator, cluster);
        settings["Kafka:DisconnectedGrace"] = "1s";
        settings["Kafka:Settings:statistics.interval.ms"] = "500";
        await using var app = await RunningWorker.StartAsync(settings, "--Logging:LogLevel:Default=Critical");
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        Func<Task<bool>> ready(HttpStatusCode expected) => async () => (await http.GetAsync(new Uri("/health/ready", UriKind.Relative), ct)).StatusCode == expected;

        await Eventually.UntilAsync(ready(HttpStatusCode.OK), TimeSpan.FromSeconds(30), "the worker is ready", ct);
        cluster.SetBrokerDown(1);
        await Eventually.UntilAsync(ready(HttpStatusCode.ServiceUnavailable), TimeSpan.FromSeconds(30),
            "readiness reports the lost broker", ct);
        cluster.SetBrokerUp(1);
        await Eventually.UntilAsync(ready(HttpStatusCode.OK), TimeSpan.FromSeconds(30), "readiness recovers", ct);
        await app.StopAsync(ct);
    }
}
