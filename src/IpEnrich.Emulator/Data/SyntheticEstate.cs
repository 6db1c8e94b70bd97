using System.Globalization;
using System.Net;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Emulator.Data;

/// <summary>
/// A deterministic synthetic estate: <c>devices</c> devices connecting to <c>ips</c> remote IPs, IP popularity
/// Zipf-distributed (rank r has weight 1/r^s), so a few IPs are very common and most are rare — as in real networks.
/// The same (ips, seed) always yields the same addresses in the same rank order, so load tools can draw from it.
/// </summary>
public static class SyntheticEstate
{
    public const double ZipfExponent = 1.1;

    /// <summary>The estate's addresses, most popular first. A mix of private (10/8, 172.16/12) and public addresses.</summary>
    public static IReadOnlyList<IPAddress> Addresses(int ips, int seed) => Addresses(ips, seed, mixedFamilies: false);

    /// <summary>
    /// With <paramref name="mixedFamilies"/>, every fourth address is an IPv6 one (2001:db8::/32, from the same draw),
    /// so hunting and statistics can be compared across address families.
    /// </summary>
    public static IReadOnlyList<IPAddress> Addresses(int ips, int seed, bool mixedFamilies)
    {
        var random = new Random(seed);
        var seen = new HashSet<uint>();
        var result = new List<IPAddress>(ips);
        while (result.Count < ips)
        {
            var bits = (uint)random.Next() ^ ((uint)random.Next(4) << 31);
            bits = (result.Count % 3) switch
            {
                0 => 0x0A000000u | (bits & 0x00FFFFFFu),           // 10.0.0.0/8
                1 => 0xAC100000u | (bits & 0x000FFFFFu),           // 172.16.0.0/12
                _ => 0x14000000u + (bits % 0xA0000000u),           // 20.0.0.0 – 180.0.0.0, public unicast
            };
            var ip = IpValue.FromV4(bits);
            if (IpClassifier.Classify(ip) == IpCategory.Ordinary && seen.Add(bits))
            {
                result.Add(mixedFamilies && result.Count % 4 == 3
                    ? IpValue.FromV6(((UInt128)0x20010DB8u << 96) | ((UInt128)bits << 16) | 0x1u).ToIPAddress()
                    : ip.ToIPAddress());
            }
        }

        return result;
    }

    /// <summary>Fills <paramref name="store"/> with <paramref name="events"/> connections spread over the 30 days before <paramref name="now"/>.</summary>
    /// <param name="mixedFamilies">IPv6 addresses too, and every third event to an IPv4 address recorded IPv4-mapped.</param>
    public static void Generate(EventStore store, int devices, int ips, int events, int seed, DateTimeOffset now, bool mixedFamilies = false)
    {
        ArgumentNullException.ThrowIfNull(store);
        if (devices <= 0 || ips <= 0)
        {
            return;
        }

        var addresses = Addresses(ips, seed, mixedFamilies).ToArray();
        var values = Array.ConvertAll(addresses, IpValue.FromAddress);
        var zipf = new ZipfSampler(ips, ZipfExponent);
        var deviceIds = Enumerable.Range(0, devices).Select(d => d.ToString("x8", CultureInfo.InvariantCulture) + "synthetic").ToArray();
        var random = new Random(unchecked(seed * 7919));
        var span = TimeSpan.FromDays(30).Ticks;
        for (var i = 0; i < events; i++)
        {
            var rank = zipf.Sample(random);
            var device = deviceIds[random.Next(devices)];
            var at = now.AddTicks(-(long)(random.NextDouble() * span));
            if (mixedFamilies && i % 3 == 0 && values[rank].IsV4)
            {
                store.Add(device, addresses[rank].MapToIPv6(), at);
            }
            else
            {
                store.Add(device, values[rank], at);
            }
        }
    }
}

/// <summary>Samples ranks 0..n−1 with probability ∝ 1/(rank+1)^s by binary search over the cumulative weights.</summary>
public sealed class ZipfSampler
{
    private readonly double[] _cumulative;

    public ZipfSampler(int n, double exponent)
    {
        _cumulative = new double[n];
        var sum = 0.0;
        for (var r = 0; r < n; r++)
        {
            sum += 1.0 / Math.Pow(r + 1, exponent);
            _cumulative[r] = sum;
        }

        for (var r = 0; r < n; r++)
        {
            _cumulative[r] /= sum;
        }
    }

    public int Sample(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var index = Array.BinarySearch(_cumulative, random.NextDouble());
        return Math.Min(index < 0 ? ~index : index, _cumulative.Length - 1);
    }
}
