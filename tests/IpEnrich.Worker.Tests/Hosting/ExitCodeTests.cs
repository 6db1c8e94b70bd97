using System.Net;
using System.Net.Sockets;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Cli;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Hosting;

/// <summary>
/// The process's exit code per class (docs/operations.md): 0 for a clean stop, 1 for a failure nothing handled, 2 configuration
/// (<see cref="WorkerHostTests"/>' missing-configuration test), 3 when Kafka refuses to go on.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ExitCodeTests
{
    private static string[] Args(Dictionary<string, string?> settings) =>
        ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Critical", .. settings.Select(kv => $"--{kv.Key}={kv.Value}")];

    /// <summary>SIGTERM to a real process, as Kubernetes stops a pod: the host's console lifetime runs the graceful stop.</summary>
    [Fact]
    public async Task SIGTERM_stops_the_process_cleanly_with_exit_0()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cluster = PipelineSetup.Cluster(2);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        await using var fleet = await WorkerFleet.StartAsync(PipelineSetup.Settings(emulator, cluster), 1, "sigterm", ct);
        var worker = fleet.Workers[0];
        await Task.Delay(TimeSpan.FromSeconds(3), ct); // running, assigned or not

        WorkerProcess.Terminate(worker);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        await worker.WaitForExitAsync(limit.Token).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);

        var entries = fleet.Entries();
        var log = string.Join('\n', entries);
        Assert.True(worker.HasExited, $"still running 60 s after SIGTERM; its log:\n{log}");
        Assert.True(worker.ExitCode == WorkerExit.Ok, $"exit {worker.ExitCode}; its log:\n{log}");
        Assert.Contains(entries, e => e.Message.StartsWith("Stopped: drained, committed and left the group", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_delivery_Kafka_refuses_for_good_stops_the_worker_with_exit_3()
    {
        using var cluster = PipelineSetup.Cluster(1);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers, [new Message<Null, string> { Value = """{"src_ip":"192.0.2.10"}""" }]);

        cluster.PushRequestErrors(0 /* Produce */, [.. Enumerable.Repeat(ErrorCode.TopicAuthorizationFailed, 20)]); // the worker's output is refused

        using var error = new StringWriter();
        var code = await WorkerCommand.RunAsync(Args(PipelineSetup.Settings(emulator, cluster)), error, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);

        Assert.Equal(WorkerExit.Kafka, code);
        Assert.Equal("ipenrich: stopped: Kafka refused to go on (exit 3); the log has the details" + Environment.NewLine, error.ToString());
    }

    [Fact]
    public async Task A_failure_the_worker_does_not_handle_exits_1_with_one_line()
    {
        using var cluster = PipelineSetup.Cluster(1);
        // A real failure no part of the worker handles: its HTTP port is already taken, so the host's start throws.
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var url = $"http://127.0.0.1:{((IPEndPoint)taken.LocalEndpoint).Port}";
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Kafka:InputTopic"] = "in",
            ["Kafka:OutputTopic"] = "out",
            ["Kafka:DeadLetterTopic"] = "dlq",
            ["Defender:TenantId"] = "t",
            ["Defender:ClientId"] = "c",
            ["Defender:ClientSecret"] = "s",
            ["Defender:BaseUrl"] = "https://127.0.0.1:9",
        };
        string[] args = ["--urls", url, "--Logging:LogLevel:Default=None", .. settings.Select(kv => $"--{kv.Key}={kv.Value}")];

        using var error = new StringWriter();
        var code = await WorkerCommand.RunAsync(args, error, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);

        Assert.Equal(WorkerExit.Unexpected, code);
        var line = Assert.Single(error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("ipenrich: stopped by IOException: ", line, StringComparison.Ordinal);
        Assert.Contains(url, line, StringComparison.Ordinal); // the line names what failed
    }
}
