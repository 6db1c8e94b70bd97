using System.Collections.Concurrent;
using System.Net;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Emulator.Data;

/// <summary>Network-connection events (device → remote IP at a time), indexed per IP.</summary>
public sealed class EventStore
{
    private readonly ConcurrentDictionary<IpValue, IpHistory> _byIp = new();
    private readonly ConcurrentDictionary<string, int> _devices = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<int, string> _deviceIds = new();
    private long _count;

    public long EventCount => Interlocked.Read(ref _count);

    public int IpCount => _byIp.Count;

    public int DeviceCount => _devices.Count;

    public void Add(string deviceId, IpValue remoteIp, DateTimeOffset timestamp) => Add(deviceId, remoteIp, timestamp, mapped: false);

    /// <summary>Adds an event as recorded: an IPv4-mapped address counts as its IPv4 address but keeps its text for hunting.</summary>
    public void Add(string deviceId, IPAddress remoteIp, DateTimeOffset timestamp)
    {
        ArgumentNullException.ThrowIfNull(remoteIp);
        Add(deviceId, IpValue.FromAddress(remoteIp), timestamp, remoteIp.IsIPv4MappedToIPv6);
    }

    private void Add(string deviceId, IpValue remoteIp, DateTimeOffset timestamp, bool mapped)
    {
        var device = _devices.GetOrAdd(deviceId, static (_, d) => d.Count, _devices);
        _deviceIds.TryAdd(device, deviceId);
        _byIp.GetOrAdd(remoteIp, static _ => new IpHistory()).Add(timestamp.UtcTicks, device, mapped);
        Interlocked.Increment(ref _count);
    }

    /// <summary>
    /// Every event of <paramref name="ips"/> (of all IPs when null) as a hunting table row: time, device id and RemoteIP
    /// as recorded (an IPv4-mapped event as <c>::ffff:a.b.c.d</c>). Read lazily, one IP at a time.
    /// </summary>
    public IEnumerable<(DateTime Timestamp, string DeviceId, string RemoteIp)> Scan(IEnumerable<IpValue>? ips)
    {
        var histories = ips is null
            ? _byIp.Select(p => (Ip: p.Key, History: p.Value))
            : ips.Distinct().Where(_byIp.ContainsKey).Select(ip => (Ip: ip, History: _byIp[ip]));
        foreach (var (ip, history) in histories)
        {
            var text = ip.ToString();
            var mappedText = ip.IsV4 ? "::ffff:" + text : text;
            foreach (var (ticks, device, mapped) in history.Snapshot())
            {
                yield return (new DateTime(ticks, DateTimeKind.Utc), _deviceIds.GetValueOrDefault(device) ?? string.Empty, mapped ? mappedText : text);
            }
        }
    }

    /// <summary>Statistics over connections in [now − lookBack, now]: distinct devices, first and last connection.</summary>
    public IpStatistics Query(IpValue ip, DateTimeOffset now, TimeSpan lookBack)
    {
        if (!_byIp.TryGetValue(ip, out var history))
        {
            return IpStatistics.NeverSeen;
        }

        var (prevalence, first, last) = history.Query((now - lookBack).UtcTicks, now.UtcTicks);
        return prevalence == 0
            ? IpStatistics.NeverSeen
            : new IpStatistics(prevalence, new DateTimeOffset(first!.Value, TimeSpan.Zero), new DateTimeOffset(last!.Value, TimeSpan.Zero));
    }
}

public sealed record IpStatistics(int Prevalence, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen)
{
    public static IpStatistics NeverSeen { get; } = new(0, null, null);
}
