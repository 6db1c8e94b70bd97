using System.Globalization;
using IpEnrich.Testing;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// <c>worker-ab --against DIR</c>: this build's worker against another build's on one paced stream, windows interleaved
/// (<see cref="PacedLatencyPhase.CompareWorkersAsync"/>). DIR is a copy of this project's benchmark output
/// (<c>tests/IpEnrich.Benchmarks/bin/Release/net10.0</c>) made before a change; with <c>--other-env NAME=VALUE</c> (and
/// DIR a copy of this build) it compares a runtime knob instead.
/// </summary>
internal static class WorkerComparisonCommand
{
    private const string Usage = "usage: worker-ab --against BUILD_DIR [--other-env NAME=VALUE] [--rate ALERTS_PER_S] [--rounds N] [--duration S]";

    // Its own options, and load's, which shape the paced stream.
    private static readonly Dictionary<string, OptionKind> Options = new(LoadOptions.Options)
    {
        ["--against"] = OptionKind.Text,
        ["--other-env"] = OptionKind.Text,
        ["--rate"] = OptionKind.Number,
        ["--rounds"] = OptionKind.Integer,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (HarnessArgs.Problem(args, Options) is { } problem)
        {
            return HarnessArgs.Refuse(Usage, problem);
        }

        if (HarnessArgs.Value(args, "--against") is not { } against || !File.Exists(Path.Combine(against, "ipenrich.dll")))
        {
            return HarnessArgs.Refuse(Usage, "--against: a directory holding another build's ipenrich.dll is required");
        }

        Dictionary<string, string>? otherEnvironment = null;
        if (HarnessArgs.Value(args, "--other-env") is { } variable)
        {
            if (variable.Split('=', 2) is not [{ Length: > 0 } name, var value])
            {
                return HarnessArgs.Refuse(Usage, $"--other-env: NAME=VALUE expected, not {variable}");
            }

            otherEnvironment = new Dictionary<string, string> { [name] = value };
        }

        var options = LoadOptions.Parse(args);
        var rate = double.Parse(HarnessArgs.Value(args, "--rate") ?? "20000", CultureInfo.InvariantCulture);
        var rounds = int.Parse(HarnessArgs.Value(args, "--rounds") ?? "6", CultureInfo.InvariantCulture);
        await using var redis = RedisServer.BinaryPath is null ? null : await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync("--Emulator:Quota:PerMinute=1000000", "--Emulator:Quota:PerHour=10000000");
        var (mine, theirs) = await PacedLatencyPhase.CompareWorkersAsync(emulator, redis, options, rate, Path.GetFullPath(against), rounds, otherEnvironment);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{rate:N0} alerts/s, {rounds} windows of {options.DurationSeconds / (double)rounds:F1} s per build, interleaved; worker CPU per alert:"));
        for (var i = 0; i < rounds; i++)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  round {i + 1}: this {mine[i].CpuUsPerMessage,6:F2} µs, other {theirs[i].CpuUsPerMessage,6:F2} µs, machine busy {mine[i].MachineBusy:P0}"));
        }

        var pairs = Spread.Of(mine.Zip(theirs, (m, t) => m.CpuUsPerMessage / t.CpuUsPerMessage));
        Console.WriteLine($"this build / the other's, round by round: {pairs.Describe("F3")}");
        return 0;
    }
}
