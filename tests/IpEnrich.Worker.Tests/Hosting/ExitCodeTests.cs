using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Cli;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Hosting;

/// <summary>
/// The process's exit code per class (docs/operations.md): 0 for a clean stop, 1 unexpected, 2 configuration
/// (<see cref="WorkerHostTests"/>' missing-configuration test), 3 when Kafka refuses to go on.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ExitCodeTests
{
    private static string[] Args(Dictionary<string, string?> settings) =>
        ["--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=Critical", .. settings.Select(kv => $"--{kv.Key}={kv.Value}")];

    [Fact]
    public async Task A_clean_stop_exits_0()
    {
        using var cluster = PipelineSetup.Cluster(2);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var error = new StringWriter();
        var run = WorkerCommand.RunAsync(Args(PipelineSetup.Settings(emulator, cluster)), error, stop.Token);

        await Task.Delay(TimeSpan.FromSeconds(3), TestContext.Current.CancellationToken); // running, assigned or not
        await stop.CancelAsync(); // SIGTERM

        var code = await run.WaitAsync(TimeSpan.FromSeconds(60), TestContext.Current.CancellationToken);
        Assert.True(code == WorkerExit.Ok, error.ToString());
    }

    [Fact]
    public async Task A_delivery_Kafka_refuses_for_good_stops_the_worker_with_exit_3()
    {
        using var cluster = PipelineSetup.Cluster(1);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        using (var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build())
        {
            producer.Produce("in", new Message<Null, string> { Value = """{"src_ip":"192.0.2.10"}""" });
            producer.Flush(TimeSpan.FromSeconds(10));
        }

        cluster.PushRequestErrors(0 /* Produce */, [.. Enumerable.Repeat(ErrorCode.TopicAuthorizationFailed, 20)]); // the worker's output is refused

        using var error = new StringWriter();
        var code = await WorkerCommand.RunAsync(Args(PipelineSetup.Settings(emulator, cluster)), error, TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(90), TestContext.Current.CancellationToken);

        Assert.Equal(WorkerExit.Kafka, code);
    }
}
