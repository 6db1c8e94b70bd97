using System.Diagnostics;

namespace IpEnrich.Testing;

/// <summary>
/// An external command-line tool the tests need (helm, promtool, prometheus), found on PATH. A missing tool fails
/// the test with a message saying so: these tests are never skipped, scripts/test.sh installs the tools.
/// </summary>
public static class Tool
{
    /// <summary>The full path of <paramref name="name"/> on PATH; throws when it is not there.</summary>
    public static string Require(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name))
            .FirstOrDefault(File.Exists);
        return path ?? throw new InvalidOperationException(
            $"'{name}' is not on PATH: the tests need it and are not skipped without it. Run the tests through scripts/test.sh, which installs it.");
    }

    /// <summary>Runs <paramref name="name"/> to completion (at most <paramref name="timeout"/>, 60 s by default).</summary>
    public static async Task<ToolResult> RunAsync(string name, IEnumerable<string> arguments, TimeSpan? timeout = null, CancellationToken ct = default)
    {
        var info = new ProcessStartInfo(Require(name)) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info) ?? throw new InvalidOperationException($"{name} did not start");
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout ?? TimeSpan.FromSeconds(60));
        var output = process.StandardOutput.ReadToEndAsync(limit.Token);
        var error = process.StandardError.ReadToEndAsync(limit.Token);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{name} {string.Join(' ', info.ArgumentList)} did not finish in {(timeout ?? TimeSpan.FromSeconds(60)).TotalSeconds:0} s");
        }

        return new ToolResult(process.ExitCode, await output, await error);
    }
}

/// <summary>A finished tool run: its exit code and what it printed.</summary>
public sealed record ToolResult(int ExitCode, string Output, string Error)
{
    public override string ToString() => $"exit {ExitCode}\n{Output}\n{Error}";
}
