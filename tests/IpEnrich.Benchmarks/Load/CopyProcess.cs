using System.Diagnostics;

namespace IpEnrich.Benchmarks.Load;

/// <summary>Starts the bare copy (<see cref="CopyCommand"/>) as a process of its own, with the worker's runtime settings.</summary>
internal static class CopyProcess
{
    public static Process Start(Dictionary<string, string?> kafkaSettings)
    {
        var start = SelfProcess.StartInfo("copy");
        start.RedirectStandardError = true;
        foreach (var (key, value) in kafkaSettings)
        {
            start.ArgumentList.Add($"--{key}={value}");
        }

        // The worker runs without background GC (its project file says why) and with the image's runtime variables;
        // the copy runs the same way. It counts calls towards tier 1 from the first, as the worker, by this project's file.
        start.Environment["DOTNET_gcConcurrent"] = "0";
        IpEnrich.Testing.WorkerImageEnvironment.ApplyTo(start.Environment);
        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start the copy process");
        process.OutputDataReceived += (_, _) => { }; // drained, so the process never blocks on a full pipe
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"copy process: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
