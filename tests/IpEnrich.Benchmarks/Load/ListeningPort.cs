using System.Diagnostics;
using System.Globalization;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The TCP port a child process listens on, read from <c>/proc</c>. Workers bind port 0 and the harness finds the
/// port afterwards: a port picked free beforehand could be taken by another process before the worker bound it.
/// </summary>
internal static class ListeningPort
{
    /// <summary>Waits until <paramref name="process"/> has a listening TCP socket and returns its port.</summary>
    public static async Task<int> WaitAsync(Process process, TimeSpan limit)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"the worker process exited with code {process.ExitCode} before it listened");
            }

            if (Find(process.Id) is { } port)
            {
                return port;
            }

            await Task.Delay(50);
        }

        throw new TimeoutException($"process {process.Id} did not listen within {limit.TotalSeconds:F0} s");
    }

    private static int? Find(int pid)
    {
        try
        {
            // The process's sockets are its fds that link to "socket:[inode]"; /proc/<pid>/net/tcp lists them by inode.
            var inodes = Directory.EnumerateFiles($"/proc/{pid}/fd")
                .Select(fd => new FileInfo(fd).LinkTarget)
                .Where(target => target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
                .Select(target => target![8..^1])
                .ToHashSet(StringComparer.Ordinal);
            foreach (var line in File.ReadLines($"/proc/{pid}/net/tcp").Skip(1))
            {
                // "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …"; st 0A is LISTEN.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 9 && fields[3] == "0A" && inodes.Contains(fields[9]))
                {
                    return int.Parse(fields[1].AsSpan(fields[1].IndexOf(':') + 1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // the process is starting or has gone: ask again
        }

        return null;
    }
}
