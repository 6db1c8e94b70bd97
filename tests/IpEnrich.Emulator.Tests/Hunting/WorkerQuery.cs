using System.Net;
using System.Text.Json;

namespace IpEnrich.Emulator.Tests.Hunting;

/// <summary>The query the worker sends for a batch of IPs, and the reading of its answer.</summary>
internal static class WorkerQuery
{
    public static string For(IEnumerable<string> literals, string lookBack = "720h") => $$"""
        DeviceNetworkEvents
        | where Timestamp > ago({{lookBack}})
        | where RemoteIP in~ ({{string.Join(", ", literals.Select(l => JsonSerializer.Serialize(l)))}})
        | extend IP = iff(RemoteIP startswith "::ffff:", substring(RemoteIP, 7), RemoteIP)
        | summarize Devices = dcount(DeviceId, 4), FirstSeen = min(Timestamp), LastSeen = max(Timestamp) by IP
        """;

    /// <summary>Both spellings of an IPv4 address (plain and IPv4-mapped), the canonical text of an IPv6 one.</summary>
    public static IEnumerable<string> Literals(IPAddress address) =>
        address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? [address.ToString(), "::ffff:" + address] : [address.ToString()];

    /// <summary>IP → (Devices, FirstSeen, LastSeen) from a 200 answer.</summary>
    public static Dictionary<string, (long Devices, string FirstSeen, string LastSeen)> Results(string json)
    {
        using var body = JsonDocument.Parse(json);
        return body.RootElement.GetProperty("results").EnumerateArray().ToDictionary(
            r => r.GetProperty("IP").GetString()!,
            r => (r.GetProperty("Devices").GetInt64(), r.GetProperty("FirstSeen").GetString()!, r.GetProperty("LastSeen").GetString()!));
    }
}
