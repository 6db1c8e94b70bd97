using IpEnrich.Worker.Hosting;
using Microsoft.Extensions.Hosting;

namespace IpEnrich.Worker.Tests.Hosting;

public sealed class WorkerExitTests
{
    private sealed class RecordingLifetime : IHostApplicationLifetime
    {
        public int Stops { get; private set; }

        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication() => Stops++;
    }

    [Fact]
    public void The_first_failure_decides_the_exit_code_and_each_stops_the_host()
    {
        var lifetime = new RecordingLifetime();
        var exit = new WorkerExit(lifetime);
        Assert.Equal(WorkerExit.Ok, exit.Code);

        exit.Fail(WorkerExit.Kafka);
        exit.Fail(WorkerExit.Unexpected); // a consequence of the first failure, not its cause

        Assert.Equal(WorkerExit.Kafka, exit.Code);
        Assert.Equal(2, lifetime.Stops);
    }
}
