using System.Diagnostics;
using IpEnrich.Testing;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>Real <c>ipenrich</c> processes for a test: started with their logs in files, waited for, killed at the end.</summary>
public sealed partial class WorkerFleet : IAsyncDisposable
{
    private WorkerFleet(List<Process> workers, int[] ports, string logs) => (Workers, Ports, Logs) = (workers, ports, logs);

    public List<Process> Workers { get; }

    public int[] Ports { get; }

    /// <summary>The directory of the workers' log files (Information and up), <c>worker-N.log</c>.</summary>
    public string Logs { get; }

    /// <summary>Starts <paramref name="count"/> workers on <paramref name="settings"/> and waits until each is ready.</summary>
    public static async Task<WorkerFleet> StartAsync(Dictionary<string, string?> settings, int count, string name, CancellationToken ct)
    {
        var logs = Directory.CreateTempSubdirectory($"ipenrich-{name}-").FullName;
        var ports = Enumerable.Range(0, count).Select(_ => WorkerProcess.FreePort()).ToArray();
        var fleet = new WorkerFleet([.. ports.Select((port, i) => WorkerProcess.Start(settings, Path.Combine(logs, $"worker-{i}.log"), port))], ports, logs);
        try
        {
            await WaitReadyAsync(ports, ct);
            return fleet;
        }
        catch
        {
            await fleet.DisposeAsync();
            throw;
        }
    }

    /// <summary>Every log entry of every worker so far: its level (<c>info</c>, <c>warn</c> …), category and message.</summary>
    public List<LogEntry> Entries()
    {
        var entries = new List<LogEntry>();
        foreach (var file in Directory.EnumerateFiles(Logs, "*.log").Order(StringComparer.Ordinal))
        {
            LogEntry? current = null;
            foreach (var line in File.ReadLines(file))
            {
                if (EntryStart().Match(line) is { Success: true } start)
                {
                    if (current is not null)
                    {
                        entries.Add(current);
                    }

                    current = new LogEntry(Path.GetFileName(file), start.Groups[1].Value, start.Groups[2].Value, string.Empty);
                }
                else if (current is not null)
                {
                    current = current with { Message = (current.Message.Length == 0 ? string.Empty : current.Message + "\n") + line.Trim() };
                }
            }

            if (current is not null)
            {
                entries.Add(current);
            }
        }

        return entries;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var worker in Workers)
        {
            await WorkerProcess.KillAsync(worker);
            worker.Dispose();
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^(?:\S+ )?(trce|dbug|info|warn|fail|crit): ([^\[]+)\[")]
    private static partial System.Text.RegularExpressions.Regex EntryStart();

    /// <summary>Waits until every worker's readiness endpoint answers 2xx; fails the test after 45 s.</summary>
    private static async Task WaitReadyAsync(int[] ports, CancellationToken ct)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        foreach (var port in ports)
        {
            await Eventually.UntilAsync(async () =>
            {
                try
                {
                    using var response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/health/ready"), ct);
                    return response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    return false;
                }
                catch (TaskCanceledException) when (!ct.IsCancellationRequested)
                {
                    return false;
                }
            }, TimeSpan.FromSeconds(45), $"the worker on port {port} is ready", ct);
        }
    }
}

/// <summary>One console log entry of a worker.</summary>
public sealed record LogEntry(string File, string Level, string Category, string Message);
