using System.Collections.Concurrent;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Emulator.Data;

/// <summary>Network-connection events (device → remote IP at a time), indexed per IP.</summary>
public sealed class EventStore
{
    private readonly ConcurrentDictionary<IpValue, IpHistory> _byIp = new();
    private readonly ConcurrentDictionary<string, int> _devices = new(StringComparer.Ordinal);
    private long _count;

    public long EventCount => Interlocked.Read(ref _count);

    public int IpCount => _byIp.Count;

    public int DeviceCount => _devices.Count;

    public void Add(string deviceId, IpValue remoteIp, DateTimeOffset timestamp)
    {
        var device = _devices.GetOrAdd(deviceId, static (_, d) => d.Count, _devices);
        _byIp.GetOrAdd(remoteIp, static _ => new IpHistory()).Add(timestamp.UtcTicks, device);
        Interlocked.Increment(ref _count);
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
