namespace IpEnrich.Worker.Backlog;

/// <summary>Starts the drain with the host, so a restarted replica answers what was wanted before it stopped without waiting for an alert.</summary>
internal sealed class BacklogStarter(BacklogScheduler backlog) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        backlog.EnsureStarted();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask; // the scheduler stops when disposed, after the pipeline's drain
}
