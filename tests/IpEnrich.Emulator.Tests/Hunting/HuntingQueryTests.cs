using System.Net;
using IpEnrich.Core.Extraction;
using IpEnrich.Emulator.Data;
using IpEnrich.Emulator.Hunting;

namespace IpEnrich.Emulator.Tests.Hunting;

/// <summary>Hunting reads the statistics' event store: RemoteIP as recorded, the same window, the shorter time limit wins.</summary>
public sealed class HuntingQueryTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan ThirtyDays = TimeSpan.FromDays(30);

    [Fact]
    public void An_ipv4_address_recorded_in_both_forms_is_one_row_matching_the_statistics()
    {
        var store = new EventStore();
        store.Add("d1", IPAddress.Parse("203.0.113.5"), Now.AddHours(-10));
        store.Add("d2", IPAddress.Parse("::ffff:203.0.113.5"), Now.AddHours(-2));
        store.Add("d3", IPAddress.Parse("2001:db8::1"), Now.AddHours(-1));

        var result = HuntingQuery.Run(WorkerQuery.For(["203.0.113.5", "::ffff:203.0.113.5", "2001:db8::1"]), store, Now, ThirtyDays, 100_000);

        var rows = result.Rows.ToDictionary(r => (string)r[0]!);
        var stats = store.Query(IpValue.FromAddress(IPAddress.Parse("203.0.113.5")), Now, ThirtyDays);
        Assert.Equal(new object?[] { "203.0.113.5", (long)stats.Prevalence, stats.FirstSeen!.Value.UtcDateTime, stats.LastSeen!.Value.UtcDateTime }, rows["203.0.113.5"]);
        Assert.Equal(2L, rows["203.0.113.5"][1]);
        Assert.Equal(1L, rows["2001:db8::1"][1]);
        Assert.Equal(3, result.RowsExamined); // read through the index: only the listed IPs' events
    }

    [Fact]
    public void Remote_ip_shows_the_recorded_form()
    {
        var store = new EventStore();
        store.Add("d1", IPAddress.Parse("::ffff:203.0.113.5"), Now.AddHours(-1));
        store.Add("d2", IPAddress.Parse("203.0.113.5"), Now.AddHours(-1));

        var plain = HuntingQuery.Run("DeviceNetworkEvents | where RemoteIP in (\"203.0.113.5\") | summarize n = count() by RemoteIP", store, Now, ThirtyDays, 10);
        var mapped = HuntingQuery.Run("DeviceNetworkEvents | where RemoteIP in (\"::ffff:203.0.113.5\") | summarize n = count() by RemoteIP", store, Now, ThirtyDays, 10);

        Assert.Equal(new object?[] { "203.0.113.5", 1L }, Assert.Single(plain.Rows));
        Assert.Equal(new object?[] { "::ffff:203.0.113.5", 1L }, Assert.Single(mapped.Rows));
    }

    [Fact]
    public void The_shorter_of_ago_and_timespan_limits_the_rows()
    {
        var store = new EventStore();
        store.Add("d1", IPAddress.Parse("10.1.1.1"), Now.AddDays(-5));
        store.Add("d2", IPAddress.Parse("10.1.1.1"), Now.AddDays(-1));
        store.Add("d3", IPAddress.Parse("10.1.1.1"), Now.AddHours(1)); // after now: not yet seen

        long Devices(string lookBack, TimeSpan timespan) =>
            (long)Assert.Single(HuntingQuery.Run(WorkerQuery.For(["10.1.1.1"], lookBack), store, Now, timespan, 10).Rows)[1]!;

        Assert.Equal(2, Devices("720h", ThirtyDays));
        Assert.Equal(1, Devices("48h", ThirtyDays));
        Assert.Equal(1, Devices("720h", TimeSpan.FromDays(2)));
    }

    [Fact]
    public void A_query_without_an_ip_list_scans_every_event_and_an_ip_never_seen_is_absent()
    {
        var store = new EventStore();
        store.Add("d1", IPAddress.Parse("10.1.1.1"), Now.AddDays(-1));
        store.Add("d1", IPAddress.Parse("10.1.1.2"), Now.AddDays(-1));

        var all = HuntingQuery.Run("DeviceNetworkEvents | summarize Devices = dcount(DeviceId) by RemoteIP", store, Now, ThirtyDays, 10);
        var unseen = HuntingQuery.Run(WorkerQuery.For(["10.9.9.9", "::ffff:10.9.9.9"]), store, Now, ThirtyDays, 10);

        Assert.Equal(2, all.Rows.Count);
        Assert.Equal(2, all.RowsExamined);
        Assert.Empty(unseen.Rows);
        Assert.Equal(0, unseen.RowsExamined);
    }
}
