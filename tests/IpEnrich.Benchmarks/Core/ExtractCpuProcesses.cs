using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using IpEnrich.Benchmarks.Load;

namespace IpEnrich.Benchmarks.Core;

/// <summary>
/// <c>extract-cpu --against</c> repeated in fresh processes, one after another: each process compiles both builds
/// with its own draw of tiered PGO's inlining, which moves a build's time by a few percent, so a change is judged by
/// the spread of its per-process ratios rather than by one process's rounds.
/// </summary>
internal static partial class ExtractCpuProcesses
{
    /// <param name="args">The <c>extract-cpu</c> arguments each process gets (<c>--processes</c> left out).</param>
    public static int Run(IReadOnlyList<string> args, int processes)
    {
        var ratios = new Dictionary<string, List<double>>();
        for (var p = 1; p <= processes; p++)
        {
            var output = RunOne(args, out var exitCode);
            if (exitCode != 0)
            {
                Console.Error.WriteLine($"extract-cpu process {p} of {processes} exited with {exitCode}");
                return exitCode;
            }

            foreach (Match line in RatioLine().Matches(output))
            {
                var ratio = double.Parse(line.Groups["median"].Value, CultureInfo.InvariantCulture);
                var method = line.Groups["method"].Value;
                if (!ratios.TryGetValue(method, out var list))
                {
                    ratios[method] = list = [];
                }

                list.Add(ratio);
                Console.WriteLine($"process {p}: {line.Value.Trim()}");
            }
        }

        foreach (var (method, list) in ratios)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{method} / the other build's, process by process ({list.Count} processes, each its median): {Spread.Of(list).Describe("F3")}"));
        }

        return ratios.Count > 0 ? 0 : 1;
    }

    private static string RunOne(IReadOnlyList<string> args, out int exitCode)
    {
        var start = SelfProcess.StartInfo("extract-cpu");
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("could not start an extract-cpu process");
        var output = process.StandardOutput.ReadToEnd(); // the console tool's main thread waits for its child
        process.WaitForExit();
        exitCode = process.ExitCode;
        return output;
    }

    [GeneratedRegex(@"^(?<method>\S+) / the other build's, round by round: (?<median>[0-9.]+) .*$", RegexOptions.Multiline)]
    private static partial Regex RatioLine();
}
