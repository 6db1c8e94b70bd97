using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace IpEnrich.Testing;

/// <summary>The real <c>ipenrich</c> entry point in a process of its own: its own memory, and a process that can be killed with SIGKILL.</summary>
public static partial class WorkerProcess
{
    private const int SigTerm = 15;

    /// <param name="log">A file that receives the worker's console output (Information and up), or null to discard it (Warning and up).</param>
    /// <param name="httpPort">The port of its health and metrics endpoints; any free one when 0.</param>
    /// <param name="build">The directory holding the <c>ipenrich.dll</c> to run; this build's when null.</param>
    /// <param name="environment">
    /// Environment variables for the process beyond the image's (<see cref="WorkerImageEnvironment"/>), which they override.
    /// </param>
    public static Process Start(Dictionary<string, string?> settings, string? log = null, int httpPort = 0, string? build = null,
        IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        WorkerImageEnvironment.ApplyTo(start.Environment);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        start.ArgumentList.Add(Path.Combine(build ?? AppContext.BaseDirectory, "ipenrich.dll"));
        start.ArgumentList.Add($"--urls=http://127.0.0.1:{httpPort}");
        start.ArgumentList.Add(log is null ? "--Logging:LogLevel:Default=Warning" : "--Logging:LogLevel:Default=Information");
        foreach (var (key, value) in settings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the worker process");
        var writer = log is null ? null : TextWriter.Synchronized(new StreamWriter(log, append: true) { AutoFlush = true });
        var openStreams = 2;
        void OnLine(DataReceivedEventArgs e)
        {
            if (e.Data is not null)
            {
                writer?.WriteLine(e.Data);
            }
            else if (Interlocked.Decrement(ref openStreams) == 0)
            {
                writer?.Dispose(); // both streams ended: no line can arrive after this (Exited may come before the last lines)
            }
        }

        process.OutputDataReceived += (_, e) => OnLine(e); // always drained: a chatty worker never blocks on a full pipe
        process.ErrorDataReceived += (_, e) => OnLine(e);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>A loopback port free right now, for a worker's endpoints that the harness must reach.</summary>
    public static int FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>SIGKILL (no drain, no commit) and wait for the process to be gone.</summary>
    public static async Task KillAsync(Process process)
    {
        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as Kubernetes stops a pod: the worker's graceful stop (drain, publish, commit, leave the group).</summary>
    public static void Terminate(Process process)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (Kill(process.Id, SigTerm) != 0)
        {
            throw new InvalidOperationException($"SIGTERM to process {process.Id} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>Waits until the process uses under 5 % of a core over half a second (or <paramref name="limit"/> passes).</summary>
    public static async Task WaitUntilIdleAsync(Process process, TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        var window = TimeSpan.FromMilliseconds(500);
        var before = CpuTime(process);
        while (Stopwatch.GetTimestamp() < deadline && !process.HasExited)
        {
            await Task.Delay(window);
            var now = CpuTime(process);
            if (now - before < window * 0.05)
            {
                return;
            }

            before = now;
        }
    }

    public static TimeSpan CpuTime(Process process)
    {
        process.Refresh();
        return process.TotalProcessorTime;
    }

    /// <summary>The kernel's high-water mark of the process's resident set (VmHWM), in MB.</summary>
    public static double PeakRssMb(Process process)
    {
        foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                return long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
            }
        }

        return double.NaN;
    }
}
