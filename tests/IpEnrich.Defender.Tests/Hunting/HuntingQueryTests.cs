using System.Net;
using IpEnrich.Defender.Hunting;

namespace IpEnrich.Defender.Tests.Hunting;

public sealed class HuntingQueryTests
{
    [Fact]
    public void The_query_names_each_address_canonically_ipv4_in_both_forms_and_folds_the_mapped_form_before_summarising()
    {
        var query = HuntingQuery.Build([IPAddress.Parse("10.0.0.1"), IPAddress.Parse("2001:DB8:0:0::1"), IPAddress.Parse("::ffff:192.0.2.7")], 48);

        Assert.Equal("""
            DeviceNetworkEvents
            | where Timestamp > ago(48h)
            | where RemoteIP in~ ("10.0.0.1", "::ffff:10.0.0.1", "2001:db8::1", "192.0.2.7", "::ffff:192.0.2.7")
            | extend IP = iff(RemoteIP startswith "::ffff:", substring(RemoteIP, 7), RemoteIP)
            | summarize Devices = dcount(DeviceId, 4), FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by IP
            """.ReplaceLineEndings("\n"), query);
    }

    [Fact]
    public void The_logged_shape_holds_no_address()
    {
        var shape = HuntingQuery.Shape(500, 720);
        Assert.Contains("in~ (<500 addresses>)", shape, StringComparison.Ordinal);
        Assert.DoesNotContain("\"", shape.Replace("\"::ffff:\"", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
    }
}
