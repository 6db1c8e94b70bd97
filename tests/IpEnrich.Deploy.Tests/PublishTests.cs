using System.Diagnostics;
using IpEnrich.Testing;

namespace IpEnrich.Deploy.Tests;

/// <summary>The deployable artifact: a Release publish for linux-x64 that starts fast.</summary>
[Trait("Category", "Integration")]
public sealed class PublishTests
{
    [Fact]
    public async Task Release_publish_for_linux_x64_starts_help_in_under_two_seconds()
    {
        var output = Path.Combine(Path.GetTempPath(), "ipenrich-publish-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (code, text) = await RunAsync("dotnet", ["publish", Path.Combine(RepoPaths.Root, "src", "IpEnrich.Worker", "IpEnrich.Worker.csproj"),
                "-c", "Release", "-r", "linux-x64", "--self-contained", "false", "-o", output, "-nologo"], TimeSpan.FromMinutes(5));
            Assert.True(code == 0, text);

            await RunAsync(Path.Combine(output, "ipenrich"), ["--help"], TimeSpan.FromSeconds(30)); // first start warms the disk cache
            var watch = Stopwatch.StartNew();
            var (helpCode, help) = await RunAsync(Path.Combine(output, "ipenrich"), ["--help"], TimeSpan.FromSeconds(30));
            watch.Stop();

            Assert.Equal(0, helpCode);
            Assert.Contains("extract", help, StringComparison.Ordinal);
            Assert.DoesNotContain("demo", help, StringComparison.Ordinal);
            // What ships holds neither the emulator nor the demo and its mock cluster.
            Assert.False(File.Exists(Path.Combine(output, "IpEnrich.Emulator.dll")));
            Assert.False(File.Exists(Path.Combine(output, "ipenrich-demo.dll")));
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"--help took {watch.Elapsed.TotalMilliseconds:F0} ms");
            TestContext.Current.SendDiagnosticMessage($"published worker --help: {watch.Elapsed.TotalMilliseconds:F0} ms");
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, string[] args, TimeSpan limit)
    {
        var info = new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(limit);
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }

    [Fact]
    public void The_worker_assembly_references_no_emulator_no_demo_and_holds_no_unsafe_code_or_mock_cluster()
    {
        var worker = typeof(IpEnrich.Worker.Hosting.WorkerHost).Assembly;
        var references = worker.GetReferencedAssemblies().Select(a => a.Name).ToList();
        Assert.Contains("IpEnrich.Defender", references);
        Assert.DoesNotContain("IpEnrich.Emulator", references);
        Assert.DoesNotContain("ipenrich-demo", references);
        Assert.DoesNotContain(worker.GetTypes(), t => t.Name.Contains("Mock", StringComparison.Ordinal) || t.Name.StartsWith("Demo", StringComparison.Ordinal));
        // AllowUnsafeBlocks marks the module [UnverifiableCode].
        Assert.Empty(worker.ManifestModule.GetCustomAttributes(typeof(System.Security.UnverifiableCodeAttribute), inherit: false));
    }
}
