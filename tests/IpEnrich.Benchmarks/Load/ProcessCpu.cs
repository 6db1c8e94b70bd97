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

        return FromTicks(Ticks(stat));
    }

    /// <summary>Clock ticks as a time span.</summary>
    public static TimeSpan FromTicks(long ticks) => TimeSpan.FromSeconds(ticks / TicksPerSecond.Value);

    /// <summary>
    /// Context switches so far, voluntary (a thread waited: a handover to another thread, a sleep, I/O) and not, summed
    /// over the process's threads (<c>/proc/&lt;pid&gt;/task/*/status</c>); a thread that exits takes its count with it.
    /// </summary>
    public static long ContextSwitches(Process process)
    {
        long switches = 0;
        foreach (var thread in Threads(process))
        {
            try
            {
                switches += Switches(File.ReadLines(Path.Combine(thread, "status")));
            }
            catch (IOException)
            {
                // the thread ended between the listing and the read: the others still count
            }
        }

        return switches;
    }

    /// <summary>The directories of the process's threads (<c>/proc/&lt;pid&gt;/task/&lt;tid&gt;</c>); none once it has gone.</summary>
    public static string[] Threads(Process process)
    {
        try
        {
            return Directory.GetDirectories($"/proc/{process.Id}/task");
        }
        catch (IOException)
        {
            return [];
        }
    }

    /// <summary>User plus system clock ticks so far of the threads of <paramref name="process"/> whose name (<c>comm</c>) <paramref name="counts"/> takes.</summary>
    public static long ThreadTicks(Process process, Func<string, bool> counts) => TicksByThread(process, counts).Values.Sum();

    /// <summary>
    /// This process's threads other than librdkafka's mock broker's (named after it), by thread: a window's CPU is
    /// <see cref="SpentSince"/> over two of these.
    /// </summary>
    public static Dictionary<string, long> OutsideTheMockBroker() =>
        TicksByThread(Process.GetCurrentProcess(), name => !name.Contains("mock", StringComparison.Ordinal));

    /// <summary>
    /// The CPU the threads alive at <paramref name="after"/> spent since <paramref name="before"/>: a thread that ended in
    /// between (a client disposed just before the window) takes none of its earlier time away from the window's.
    /// </summary>
    public static TimeSpan SpentSince(Dictionary<string, long> before, Dictionary<string, long> after) =>
        FromTicks(after.Sum(thread => thread.Value - before.GetValueOrDefault(thread.Key)));

    /// <summary>Clock ticks so far by thread directory, of the threads whose name <paramref name="counts"/> takes.</summary>
    private static Dictionary<string, long> TicksByThread(Process process, Func<string, bool> counts)
    {
        var ticks = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var thread in Threads(process))
        {
            try
            {
                if (counts(File.ReadAllText(Path.Combine(thread, "comm")).TrimEnd()))
                {
                    ticks[thread] = Ticks(File.ReadAllText(Path.Combine(thread, "stat")));
                }
            }
            catch (IOException)
            {
                // the thread ended between the listing and the read
            }
        }

        return ticks;
    }

    /// <summary>voluntary_ctxt_switches + nonvoluntary_ctxt_switches from the lines of a <c>status</c> file.</summary>
    private static long Switches(IEnumerable<string> status) => status
        .Where(line => line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal) || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
        .Sum(line => long.Parse(line.AsSpan(line.IndexOf(':') + 1).Trim(), CultureInfo.InvariantCulture));

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
