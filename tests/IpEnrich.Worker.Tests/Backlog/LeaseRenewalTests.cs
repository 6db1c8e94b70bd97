using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Backlog;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Backlog;

public sealed class LeaseRenewalTests
{
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task Lookups_being_answered_stay_held_past_their_lease_and_return_once_the_renewal_ends()
    {
        var store = new MemoryBacklogStore(new BacklogOptions(), _time);
        LookupTarget[] targets = [Ip(1), Ip(2)];
        await store.WantAsync(targets, AlertPriority.Normal);
        ClaimedLookup[] claimed = [(await store.ClaimAsync(Lease))!, (await store.ClaimAsync(Lease))!];

        var renewal = LeaseRenewal.Start(store, claimed, Lease, _time, NullLogger.Instance);
        for (var i = 0; i < 20; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(5)); // a call of 100 s, over three leases
            Assert.Null(await store.ClaimAsync(Lease));
        }

        await renewal.DisposeAsync();
        _time.Advance(Lease);
        string[] again = [(await store.ClaimAsync(Lease))!.Target.Member, (await store.ClaimAsync(Lease))!.Target.Member];
        Assert.Equal(targets.Select(t => t.Member).Order(StringComparer.Ordinal), again.Order(StringComparer.Ordinal));
    }

    private static LookupTarget Ip(int n) => new(new IPAddress([198, 51, 100, (byte)n]), 720);
}
