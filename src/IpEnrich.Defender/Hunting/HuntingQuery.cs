using System.Globalization;
using System.Net;
using System.Text;
using IpEnrich.Defender.Client;

namespace IpEnrich.Defender.Hunting;

/// <summary>
/// The KQL that computes the IP statistics of a batch over <c>DeviceNetworkEvents</c>: distinct devices, first and
/// last <c>Timestamp</c> per IP in the look-back. Built only from parsed addresses' canonical text, never from alert
/// text. An IPv4 address also matches its IPv4-mapped form, folded back before summarising so its devices count once.
/// </summary>
public static class HuntingQuery
{
    public const string IpColumn = "IP";
    public const string DevicesColumn = "Devices";
    public const string FirstSeenColumn = "FirstSeen";
    public const string LastSeenColumn = "LastSeen";

    private const string MappedPrefix = "::ffff:";

    /// <summary>The query for <paramref name="ips"/> (canonical, distinct) over <paramref name="lookBackHours"/>.</summary>
    public static string Build(IReadOnlyList<IPAddress> ips, int lookBackHours)
    {
        ArgumentNullException.ThrowIfNull(ips);
        var text = new StringBuilder(128 + (ips.Count * 40));
        text.Append("DeviceNetworkEvents\n| where Timestamp > ago(")
            .Append(lookBackHours.ToString(CultureInfo.InvariantCulture)).Append("h)\n| where RemoteIP in~ (");
        for (var i = 0; i < ips.Count; i++)
        {
            var address = DefenderIpStatsClient.CanonicalAddress(ips[i]);
            var canonical = address.ToString();
            text.Append(i == 0 ? "\"" : ", \"").Append(canonical).Append('"');
            if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
            {
                text.Append(", \"").Append(MappedPrefix).Append(canonical).Append('"');
            }
        }

        return text.Append(")\n| extend ").Append(IpColumn).Append(" = iff(RemoteIP startswith \"").Append(MappedPrefix)
            .Append("\", substring(RemoteIP, ").Append(MappedPrefix.Length.ToString(CultureInfo.InvariantCulture)).Append("), RemoteIP)\n| summarize ")
            .Append(DevicesColumn).Append(" = dcount(DeviceId, 4), ")
            .Append(FirstSeenColumn).Append(" = min(Timestamp), ")
            .Append(LastSeenColumn).Append(" = max(Timestamp) by ").Append(IpColumn)
            .ToString();
    }

    /// <summary>The query's shape for a log line: the same text with the address list replaced by its size.</summary>
    public static string Shape(int ips, int lookBackHours) =>
        Build([], lookBackHours).Replace("in~ ()", $"in~ (<{ips} addresses>)", StringComparison.Ordinal);
}
