using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Backlog;

namespace IpEnrich.Worker.Tests.Backlog;

/// <summary>The rules every backlog store keeps, run against the in-process one and against a real redis-server.</summary>
public abstract class BacklogStoreContract
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    protected static LookupTarget Ip(int n) => new(new IPAddress([198, 51, (byte)(n / 250), (byte)((n % 250) + 1)]), 720);

    protected static AlertReference Alert(long offset) => new("alerts", 1, offset, offset % 2 == 0 ? null : [0xff, (byte)offset]);

    private protected abstract Task<IBacklogStore> StoreAsync(BacklogOptions options);

    private protected Task<IBacklogStore> StoreAsync() => StoreAsync(new BacklogOptions());

    /// <summary>A lease short enough to see end within a test, on the store's clock.</summary>
    protected abstract TimeSpan ShortLease { get; }

    /// <summary>Lets <paramref name="span"/> pass on the store's clock.</summary>
    protected abstract Task PassAsync(TimeSpan span);

    [Fact]
    public async Task A_renewed_lease_outlasts_its_first_term_and_a_returned_lookup_is_not_held_by_a_renewal()
    {
        var store = await StoreAsync();
        await store.WantAsync([Ip(1)], AlertPriority.High);
        await store.WantAsync([Ip(2)], AlertPriority.Normal);
        var held = await store.ClaimAsync(ShortLease);
        var returned = await store.ClaimAsync(ShortLease);
        await store.ReturnAsync(returned!);

        await PassAsync(ShortLease * 0.6);
        await store.RenewAsync([held!, returned!], ShortLease);
        await PassAsync(ShortLease * 0.6); // past the first term, within the renewed one

        Assert.Equal(Ip(2), (await store.ClaimAsync(ShortLease))!.Target);
        Assert.Null(await store.ClaimAsync(ShortLease));
        await PassAsync(ShortLease); // the renewed term is over too
        Assert.Equal(Ip(1), (await store.ClaimAsync(ShortLease))!.Target);
    }

    [Fact]
    public async Task The_most_valuable_is_taken_first_priority_then_waiting_alerts_then_age()
    {
        var store = await StoreAsync();
        await store.WantAsync([Ip(1)], AlertPriority.Low);        // oldest, but low
        await store.WantAsync([Ip(2)], AlertPriority.Normal);
        await store.WantAsync([Ip(3)], AlertPriority.Normal);
        await store.WantAsync([Ip(3)], AlertPriority.Normal);     // two alerts wait for it
        await store.WantAsync([Ip(4)], AlertPriority.High);       // newest, but high
        await store.WantAsync([Ip(1)], AlertPriority.Critical);   // a critical alert now waits for the oldest

        var order = new List<LookupTarget>();
        while (await store.ClaimAsync(Lease) is { } claimed)
        {
            order.Add(claimed.Target);
        }

        Assert.Equal([Ip(1), Ip(4), Ip(3), Ip(2)], order);
    }

    [Fact]
    public async Task A_taken_lookup_is_not_taken_again_until_it_is_returned()
    {
        var store = await StoreAsync();
        await store.WantAsync([Ip(1), Ip(2)], AlertPriority.Normal);
        var first = await store.ClaimAsync(Lease);
        await store.WantAsync([Ip(1), Ip(2)], AlertPriority.Normal); // more alerts want both meanwhile

        var second = await store.ClaimAsync(Lease);
        Assert.NotEqual(first!.Target, second!.Target);
        Assert.Null(await store.ClaimAsync(Lease));

        await store.ReturnAsync(first);
        var again = await store.ClaimAsync(Lease);
        Assert.Equal(first.Target, again!.Target);
        Assert.Equal(2, again.Waiting);
    }

    [Fact]
    public async Task Waiters_are_kept_up_to_the_limit_and_the_rest_counted()
    {
        var store = await StoreAsync(new BacklogOptions { MaxAlertsPerIp = 3 });
        for (var offset = 0; offset < 5; offset++)
        {
            await store.AddWaiterAsync(Ip(1), AlertPriority.Normal, Alert(offset));
        }

        var claimed = await store.ClaimAsync(Lease);
        var (kept, uncounted) = await store.WaitersAsync(claimed!);

        Assert.Equal([Alert(0), Alert(1), Alert(2)], kept, AlertReferenceComparer.Instance);
        Assert.Equal(2, uncounted);
        Assert.Equal(3, claimed!.Waiters);
    }

    [Fact]
    public async Task Completing_removes_the_lookup_unless_waiters_came_meanwhile()
    {
        var store = await StoreAsync();
        await store.WantAsync([Ip(1)], AlertPriority.Normal);
        await store.AddWaiterAsync(Ip(1), AlertPriority.Normal, Alert(1));
        var claimed = await store.ClaimAsync(Lease);
        var (kept, _) = await store.WaitersAsync(claimed!);
        await store.AddWaiterAsync(Ip(1), AlertPriority.Normal, Alert(2)); // while the answer was being published

        Assert.False(await store.CompleteAsync(claimed!, kept.Count));
        var again = await store.ClaimAsync(Lease);
        Assert.Equal([Alert(2)], (await store.WaitersAsync(again!)).Kept, AlertReferenceComparer.Instance);
        Assert.True(await store.CompleteAsync(again!, 1));
        Assert.Null(await store.ClaimAsync(Lease));
        Assert.Equal(0, (await store.SnapshotAsync()).Total);
    }

    [Fact]
    public async Task A_waiter_for_a_lookup_answered_meanwhile_wants_it_again()
    {
        var store = await StoreAsync();
        await store.WantAsync([Ip(1)], AlertPriority.High);
        var claimed = await store.ClaimAsync(Lease);
        Assert.True(await store.CompleteAsync(claimed!, 0));

        await store.AddWaiterAsync(Ip(1), AlertPriority.High, Alert(7)); // the alert went out just before the answer came

        var again = await store.ClaimAsync(Lease);
        Assert.Equal(Ip(1), again!.Target);
        Assert.Equal(AlertPriority.High, again.Priority);
        Assert.Equal([Alert(7)], (await store.WaitersAsync(again)).Kept, AlertReferenceComparer.Instance);
    }

    [Fact]
    public async Task Beyond_MaxIps_the_least_valuable_are_dropped_and_counted()
    {
        var store = await StoreAsync(new BacklogOptions { MaxIps = 3 });
        Assert.Equal(0, await store.WantAsync([Ip(1)], AlertPriority.High));
        Assert.Equal(0, await store.WantAsync([Ip(2)], AlertPriority.Low));
        Assert.Equal(0, await store.WantAsync([Ip(3)], AlertPriority.Normal));
        Assert.Equal(0, await store.WantAsync([Ip(3)], AlertPriority.Normal)); // two alerts wait for it

        Assert.Equal(1, await store.WantAsync([Ip(4)], AlertPriority.Normal)); // Ip(2), the low one, goes
        Assert.Equal(1, await store.WantAsync([Ip(5)], AlertPriority.Critical)); // then Ip(4), normal with fewer waiting

        var left = new List<LookupTarget>();
        while (await store.ClaimAsync(Lease) is { } claimed)
        {
            left.Add(claimed.Target);
        }

        Assert.Equal([Ip(5), Ip(1), Ip(3)], left);
    }

    [Fact]
    public async Task The_snapshot_counts_by_priority_taken_ones_included_and_knows_the_oldest()
    {
        var store = await StoreAsync();
        await store.WantAsync([Ip(1), Ip(2)], AlertPriority.Low);
        await store.WantAsync([Ip(3)], AlertPriority.Critical);
        await store.ClaimAsync(Lease); // Ip(3), now held

        var snapshot = await store.SnapshotAsync();

        Assert.Equal([2L, 0L, 0L, 1L], snapshot.ByPriority);
        Assert.NotNull(snapshot.OldestWanted);
    }
}

/// <summary>Alert references compared by value, the key's bytes included.</summary>
public sealed class AlertReferenceComparer : IEqualityComparer<AlertReference>
{
    public static AlertReferenceComparer Instance { get; } = new();

    public bool Equals(AlertReference? x, AlertReference? y) =>
        x is not null && y is not null && x.Topic == y.Topic && x.Partition == y.Partition && x.Offset == y.Offset && x.Triage == y.Triage
        && (x.Key is null ? y.Key is null : y.Key is not null && x.Key.AsSpan().SequenceEqual(y.Key));

    public int GetHashCode(AlertReference obj) => HashCode.Combine(obj?.Topic, obj?.Offset);
}
