using System.Diagnostics;

namespace IpEnrich.Benchmarks;

/// <summary>This executable started again as a child process, running another of its commands.</summary>
internal static class SelfProcess
{
    /// <summary>A start for <c>dotnet IpEnrich.Benchmarks.dll <paramref name="command"/></c>, standard output redirected.</summary>
    public static ProcessStartInfo StartInfo(string command)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "IpEnrich.Benchmarks.dll"));
        start.ArgumentList.Add(command);
        return start;
    }
}
