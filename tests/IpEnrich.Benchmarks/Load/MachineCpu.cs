using System.Globalization;

namespace IpEnrich.Benchmarks.Load;

/// <summary>The machine's CPU counters from <c>/proc/stat</c> (all cores, in clock ticks): how busy it was between two reads.</summary>
internal readonly record struct MachineCpu(long Busy, long Total)
{
    public static MachineCpu Read()
    {
        // "cpu  user nice system idle iowait irq softirq steal …": idle and iowait are the idle time.
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
            .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        var total = fields.Take(8).Sum();
        return new MachineCpu(total - fields[3] - fields[4], total);
    }

    /// <summary>The busy fraction since <paramref name="earlier"/>, 0 to 1.</summary>
    public double BusySince(MachineCpu earlier) => Total == earlier.Total ? 0 : (double)(Busy - earlier.Busy) / (Total - earlier.Total);
}
