using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using IpEnrich.Testing;
using IpEnrich.Worker.Backlog;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace IpEnrich.Worker.Tests.Backlog;

[Trait("Category", "Integration")]
public sealed class BacklogBoundsTests
{
    [Fact]
    public async Task More_wanted_ips_than_MaxIps_drops_the_least_valuable_and_counts_them()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await using var replica = await LookupReplica.StartAsync(emulator, redis: null, new Dictionary<string, string?>
        {
            ["Backlog:MaxIps"] = "10", ["Quota:PerMinute"] = "1", ["Quota:PerHour"] = "1", ["Quota:HighPriorityReserve"] = "0",
        });
        using var dropped = new MetricCollector<long>(replica.Get<IpEnrichTelemetry>().BacklogDropped);
        var critical = new IPAddress([203, 0, 113, 1]);
        var answered = await replica.Service.LookupAsync([critical], AlertPriority.Critical, TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.True(answered[0].IsFinal, $"the first lookup spends the one call: {answered[0].Status}");
        var backlog = replica.Get<BacklogScheduler>();
        // Its answer reaches the caller before the lookup leaves the backlog: until then it takes one of the 10 places.
        await Eventually.UntilAsync(() => backlog.LookupsInFlight == 0, TimeSpan.FromSeconds(10), "the answered lookup has left the backlog", TestContext.Current.CancellationToken);

        var waiting = new IPAddress([203, 0, 113, 2]);
        await replica.Service.LookupAsync([waiting], AlertPriority.Critical, TimeSpan.Zero, TestContext.Current.CancellationToken);
        for (var i = 0; i < 30; i++)
        {
            await replica.Service.LookupAsync([new IPAddress([198, 51, 100, (byte)(i + 1)])], AlertPriority.Low, TimeSpan.Zero, TestContext.Current.CancellationToken);
        }

        Assert.Equal(21, backlog.Dropped); // 31 wanted, 10 kept
        Assert.Equal(21, dropped.GetMeasurementSnapshot().Sum(m => m.Value));
        await Eventually.UntilAsync(() => backlog.Snapshot.Total == 10, TimeSpan.FromSeconds(10), "the backlog's size is observed", TestContext.Current.CancellationToken);
        Assert.Equal(1, backlog.Snapshot.ByPriority[(int)AlertPriority.Critical]); // the critical one is never the one dropped
    }
}
