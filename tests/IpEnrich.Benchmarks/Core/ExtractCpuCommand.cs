using System.Globalization;
using IpEnrich.Benchmarks.Load;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Benchmarks.Core;

/// <summary>
/// Extract + annotate against its floor, the extractor's JSON reader alone (and System.Text.Json's beside it), measured in thread CPU time in interleaved rounds in
/// one process: on shared cores wall-clock micro benchmarks of the same code move by 1.5x between runs, while
/// the ratios of methods measured side by side hold.
/// </summary>
internal static class ExtractCpuCommand
{
    private const string Usage = "usage: extract-cpu [--rounds N] [--round-ms MS] [--only METHOD[,METHOD…]] [--against BUILD_DIR [--processes N]]";

    private static readonly Dictionary<string, OptionKind> Options = new()
    {
        ["--rounds"] = OptionKind.Integer,
        ["--round-ms"] = OptionKind.Integer,
        ["--only"] = OptionKind.Text,
        ["--against"] = OptionKind.Text,
        ["--processes"] = OptionKind.Integer,
    };

    public static int Run(string[] args)
    {
        if (HarnessArgs.Problem(args, Options) is { } problem)
        {
            return HarnessArgs.Refuse(Usage, problem);
        }

        var rounds = 15;
        var roundMs = 300;
        string? only = null;
        string? against = null;
        var processes = 1;
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            switch (args[i])
            {
                case "--processes": processes = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--rounds": rounds = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--round-ms": roundMs = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--only": only = args[i + 1]; break; // one method alone, to profile it, or a few side by side
                case "--against": against = args[i + 1]; break; // another build's extraction beside this one's
            }
        }

        if (processes > 1)
        {
            if (against is null)
            {
                Console.Error.WriteLine("extract-cpu: --processes compares builds, so it needs --against BUILD_DIR");
                return 2;
            }

            var perProcess = args.Chunk(2).Where(pair => pair[0] != "--processes").SelectMany(pair => pair).ToArray();
            return ExtractCpuProcesses.Run(perProcess, processes);
        }

        var alerts = AlertMix.Get();
        var bytesPerAlert = AlertMix.AverageBytes;
        var plain = new ExtractAnnotateWork(triage: false);
        var triaged = new ExtractAnnotateWork(triage: true);
        var knownPathsOnly = new ExtractAnnotateWork(triage: false, new ExtractionOptions { ScanAllStrings = false });
        (string Name, Func<byte[], int> Work)[] methods =
        [
            ("TokenReaderOnly", ExtractAnnotateWork.TokenReaderOnly),
            ("JsonReaderOnly", ExtractAnnotateWork.ReadOnly),
            ("ExtractOnly", plain.Extract),
            ("ExtractAndAnnotate", plain.ExtractAndAnnotate),
            ("ExtractAndAnnotate+triage", triaged.ExtractAndAnnotate),
            ("ExtractKnownPathsOnly", knownPathsOnly.Extract),
        ];
        if (against is not null)
        {
            methods = [.. methods, .. OtherBuild.LoadWork(against)];
        }

        if (only is not null)
        {
            var named = only.Split(',');
            methods = [.. methods.Where(m => named.Contains(m.Name))];
            if (methods.Length != named.Length)
            {
                Console.Error.WriteLine($"--only: not every one of {only} names a method");
                return 2;
            }
        }

        foreach (var (_, work) in methods)
        {
            Measure(alerts, work, TimeSpan.FromSeconds(1)); // tiered compilation settles before the rounds
        }

        var nsPerAlert = methods.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var k = 0; k < methods.Length; k++)
            {
                var m = (k + round) % methods.Length;
                nsPerAlert[m].Add(Measure(alerts, methods[m].Work, TimeSpan.FromMilliseconds(roundMs)));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{alerts.Length} alerts, {bytesPerAlert:F0} B average, {rounds} interleaved rounds of {roundMs} ms CPU each; median (min–max) per method"));
        Console.WriteLine($"{"method",-27} {"CPU µs/alert",-22} {"MB/s per core",-22} {"/ reader floor",-18}");
        for (var m = 0; m < methods.Length; m++)
        {
            var us = Spread.Of(nsPerAlert[m].Select(ns => ns / 1000));
            var mbs = Spread.Of(nsPerAlert[m].Select(ns => bytesPerAlert / ns * 1e3));
            var overFloor = methods[0].Name == "TokenReaderOnly"
                ? Spread.Of(nsPerAlert[m].Zip(nsPerAlert[0], (ns, floor) => ns / floor)).Describe("F2")
                : "-";
            Console.WriteLine($"{methods[m].Name,-27} {us.Describe("F2"),-22} {mbs.Describe("F0"),-22} {overFloor,-18}");
        }

        for (var m = 0; m < methods.Length; m++)
        {
            var other = Array.FindIndex(methods, o => o.Name == methods[m].Name + "@against");
            if (other >= 0)
            {
                var ratio = Spread.Of(nsPerAlert[m].Zip(nsPerAlert[other], (ns, theirs) => ns / theirs));
                Console.WriteLine($"{methods[m].Name} / the other build's, round by round: {ratio.Describe("F3")}");
            }
        }

        return 0;
    }

    /// <returns>Thread CPU nanoseconds per alert over whole passes of the mix until <paramref name="budget"/> is spent.</returns>
    private static double Measure(byte[][] alerts, Func<byte[], int> work, TimeSpan budget)
    {
        var start = ThreadCpuNanoseconds();
        var alertsDone = 0L;
        var spent = 0L;
        var sink = 0;
        while (spent < budget.Ticks * 100)
        {
            foreach (var alert in alerts)
            {
                sink += work(alert);
            }

            alertsDone += alerts.Length;
            spent = ThreadCpuNanoseconds() - start;
        }

        GC.KeepAlive(sink);
        return (double)spent / alertsDone;
    }

    /// <summary>The calling thread's time on a CPU in nanoseconds, from the scheduler's own count.</summary>
    private static long ThreadCpuNanoseconds()
    {
        var schedstat = File.ReadAllText("/proc/thread-self/schedstat");
        return long.Parse(schedstat.AsSpan(0, schedstat.IndexOf(' ', StringComparison.Ordinal)), CultureInfo.InvariantCulture);
    }
}
