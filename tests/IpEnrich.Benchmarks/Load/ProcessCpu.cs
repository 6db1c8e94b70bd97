using System.Diagnostics;
using System.Globalization;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// A process's CPU time as the kernel counts it: utime + stime from <c>/proc/&lt;pid&gt;/stat</c>, in clock ticks
/// (<c>getconf CLK_TCK</c>, 100 on Linux), so the worker and the copy are measured the same way from outside.
/// </summary>
internal static class ProcessCpu
{
    private static readonly Lazy<double> TicksPerSecond = new(ReadClockTicks);

    /// <summary>User plus system time so far of every thread of <paramref name="process"/> (zero once it has gone).</summary>
    public static TimeSpan Read(Process process)
    {
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{process.Id}/stat");
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }

        return TimeSpan.FromSeconds(Ticks(stat) / TicksPerSecond.Value);
    }

    /// <summary>utime + stime in clock ticks from the text of a <c>/proc/&lt;pid&gt;[/task/&lt;tid&gt;]/stat</c> file.</summary>
    public static long Ticks(string stat)
    {
        // The command name (field 2) may hold spaces and parentheses: count fields from the last ')'. Then state is
        // field 3, so utime (14) and stime (15) are the 12th and 13th after it.
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    private static double ReadClockTicks()
    {
        try
        {
            using var getconf = Process.Start(new ProcessStartInfo("getconf", "CLK_TCK") { RedirectStandardOutput = true, UseShellExecute = false });
            if (getconf is not null && double.TryParse(getconf.StandardOutput.ReadToEnd().Trim(), CultureInfo.InvariantCulture, out var ticks) && ticks > 0)
            {
                return ticks;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // no getconf: Linux's USER_HZ is 100 everywhere it runs
        }

        return 100;
    }
}
