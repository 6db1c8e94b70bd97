using IpEnrich.Worker.Hosting;
using Microsoft.AspNetCore.Builder;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>
/// A started worker host (web server on a free loopback port) that is stopped, within a time limit, before it is
/// disposed, also when the test fails half-way: the pipeline drains and closes its Kafka clients before the test's mock
/// cluster goes, as in a real stop.
/// </summary>
public sealed class RunningWorker : IAsyncDisposable
{
    private static readonly TimeSpan StopLimit = TimeSpan.FromSeconds(30);
    private readonly WebApplication _app;
    private int _disposed;

    private RunningWorker(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;

    /// <summary>The address the web server listens on.</summary>
    public Uri BaseAddress => new(_app.Urls.First());

    /// <summary>Builds the worker from <paramref name="settings"/> and <paramref name="args"/> and starts it.</summary>
    public static async Task<RunningWorker> StartAsync(Dictionary<string, string?> settings, params string[] args)
    {
        var app = WorkerHost.Build(["--urls", "http://127.0.0.1:0", .. args], settings);
        try
        {
            await app.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return new RunningWorker(app);
    }

    /// <summary>The graceful stop (SIGTERM's path): drain, publish, commit, leave the group.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        using var limit = new CancellationTokenSource(StopLimit);
        try
        {
            await _app.StopAsync(limit.Token); // a no-op after the test's own stop
        }
        finally
        {
            await _app.DisposeAsync();
        }
    }
}
