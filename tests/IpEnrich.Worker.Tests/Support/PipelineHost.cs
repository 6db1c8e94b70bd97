using Microsoft.Extensions.Hosting;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>
/// A started pipeline host for <c>await using</c>: disposed asynchronously, the pipeline drains and closes its Kafka
/// clients before disposal returns, also when the test fails before its own stop (a synchronous dispose only cancels).
/// </summary>
public sealed class PipelineHost(IHost host) : IHost, IAsyncDisposable
{
    public IServiceProvider Services => host.Services;

    public Task StartAsync(CancellationToken cancellationToken = default) => host.StartAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken = default) => host.StopAsync(cancellationToken);

    public void Dispose() => host.Dispose();

    public ValueTask DisposeAsync() => ((IAsyncDisposable)host).DisposeAsync();
}
