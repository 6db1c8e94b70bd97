using System.Diagnostics;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The .NET runtime's background compiler in a measured process, read from <c>/proc/&lt;pid&gt;/task</c>: tiered
/// compilation re-JITs hot methods for seconds after a process starts, CPU a running worker no longer spends.
/// </summary>
internal static class RuntimeCompiler
{
    // The runtime names its thread ".NET Tiered Compilation Worker"; the kernel keeps the first 15 bytes.
    private const string ThreadName = ".NET Tiered Com";

    /// <summary>
    /// Waits until the background compiler of every process has spent no CPU for <paramref name="quiet"/>, or
    /// <paramref name="limit"/> has passed; returns how long that took.
    /// </summary>
    public static async Task<TimeSpan> WaitUntilIdleAsync(IReadOnlyList<Process> processes, TimeSpan quiet, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        var last = CompilerTicks(processes);
        var quietSince = watch.Elapsed;
        while (watch.Elapsed < limit)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            var now = CompilerTicks(processes);
            if (now != last)
            {
                (last, quietSince) = (now, watch.Elapsed);
            }
            else if (watch.Elapsed - quietSince >= quiet)
            {
                break;
            }
        }

        return watch.Elapsed;
    }

    /// <summary>
    /// The CPU time the compiler threads of <paramref name="processes"/> have spent so far: over a measured window, the
    /// part of the processes' CPU that was still tiering code rather than handling messages.
    /// </summary>
    public static TimeSpan Cpu(IReadOnlyList<Process> processes) => ProcessCpu.FromTicks(CompilerTicks(processes));

    /// <summary>User plus system clock ticks of the compiler threads of <paramref name="processes"/> so far.</summary>
    private static long CompilerTicks(IReadOnlyList<Process> processes) =>
        processes.Sum(process => ProcessCpu.ThreadTicks(process, name => name == ThreadName)); // none once gone: it has nothing left to compile
}
