using System.Net;
using IpEnrich.Core.Enrichment;
using FaultOptions = IpEnrich.Emulator.Options.FaultOptions;
using IpEnrich.Testing;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Quota;

public sealed class GateRetryQuotaTests
{
    [Fact]
    public async Task A_retry_slot_is_a_low_priority_slot_of_the_gate_and_an_unused_one_comes_back()
    {
        var options = Options.Create(new QuotaOptions { PerMinute = 1000, PerHour = 10, SafetyMargin = 0, HighPriorityReserve = 0.5 });
        var gate = new LocalQuotaGate(options, new FakeTimeProvider());
        var retries = new GateRetryQuota(gate);
        var ct = TestContext.Current.CancellationToken;
        var slots = new List<object>();
        while (await retries.TryTakeAsync(ct) is { } slot)
        {
            slots.Add(slot);
        }

        Assert.Equal(5, slots.Count); // the high-priority reserve is not for retries
        Assert.Equal(5, gate.Remaining.Hour);
        await retries.UnusedAsync(slots[0]);
        await retries.SpentAsync(slots[1]);
        Assert.Equal(6, gate.Remaining.Hour);
        Assert.True((await gate.TryAcquireAsync(AlertPriority.Critical, ct)).Allowed);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task A_lookup_against_a_failing_api_spends_a_slot_per_attempt_and_stops_when_the_budget_is_spent()
    {
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        await using var replica = await LookupReplica.StartAsync(emulator, redis: null, new Dictionary<string, string?>
        {
            ["Quota:PerMinute"] = "4", ["Quota:PerHour"] = "100", ["Quota:SafetyMargin"] = "0", ["Quota:HighPriorityReserve"] = "0",
            ["Defender:Resilience:MaxRetries"] = "2", ["Defender:Resilience:RetryDelay"] = "00:00:00.010",
        });
        await emulator.SetFaultsAsync(new FaultOptions { FailNextCount = 100, FailNextStatus = 503 });
        var ct = TestContext.Current.CancellationToken;

        var first = await replica.Service.LookupAsync([IPAddress.Parse("192.0.2.60")], AlertPriority.Critical, TimeSpan.FromSeconds(10), ct);
        Assert.Equal((IpLookupStatus.Deferred, "outage"), (first[0].Status, first[0].Detail));
        Assert.Equal(3, (await emulator.GetCallsAsync()).Total); // the first ask and two retries, each a slot
        Assert.Equal(1, replica.Quota.Remaining.Minute);

        // One slot left: the first ask goes, its retry finds none.
        var second = await replica.Service.LookupAsync([IPAddress.Parse("192.0.2.61")], AlertPriority.Critical, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(IpLookupStatus.Deferred, second[0].Status);
        Assert.Equal(4, (await emulator.GetCallsAsync()).Total);
        Assert.Equal(0, replica.Quota.Remaining.Minute);
    }
}
