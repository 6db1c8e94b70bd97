using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IpEnrich.Worker.Redis;

/// <summary>
/// The shared Redis connection, or none in single-instance mode. It never blocks start-up on Redis: it connects in the
/// background and the multiplexer keeps reconnecting; until it is up, and whenever Redis is unreachable, callers read
/// a cache miss and use the local limiter.
/// </summary>
public sealed partial class RedisConnection : IAsyncDisposable
{
    // Null in single-instance mode. Never faults: ends with the multiplexer, or null if none could be made.
    private readonly Task<ConnectionMultiplexer?>? _connecting;

    public RedisConnection(IOptions<RedisOptions> options, ILogger<RedisConnection> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Value.ConnectionString))
        {
            return;
        }

        var configuration = ConfigurationOptions.Parse(options.Value.ConnectionString);
        configuration.AbortOnConnectFail = false;
        configuration.ClientName ??= "ipenrich";
        configuration.SyncTimeout = configuration.AsyncTimeout = (int)options.Value.Timeout.TotalMilliseconds;
        // While Redis is unreachable, fail at once (and use the fallback) rather than queue until the alert's wait is gone.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        // Try again every second, so a restarted Redis is back in use within seconds.
        configuration.ReconnectRetryPolicy ??= new LinearRetry(1000);
        // On the thread pool: the first attempt can take the whole connect timeout (a Redis that accepts but never
        // answers), and whoever resolved this connection must not wait for it.
        _connecting = Task.Run(() => ConnectAsync(configuration, logger));
    }

    /// <summary>False in single-instance (Redis-less) mode.</summary>
    public bool IsConfigured => _connecting is not null;

    public bool IsConnected => Multiplexer?.IsConnected == true;

    /// <summary>True once the first connection attempt has ended (connected, or no connection could be set up).</summary>
    public bool FirstAttemptEnded => _connecting is null || _connecting.IsCompleted;

    /// <summary>The database, or null in single-instance mode and until the first connection attempt has ended.</summary>
    public IDatabase? Database => Multiplexer?.GetDatabase();

    /// <summary>Publish/subscribe, or null like <see cref="Database"/>.</summary>
    public ISubscriber? Subscriber => Multiplexer?.GetSubscriber();

    private ConnectionMultiplexer? Multiplexer => _connecting is { IsCompletedSuccessfully: true } connecting ? connecting.Result : null;

    /// <summary>
    /// Completes when the first connection attempt has ended, connected or not (at once in single-instance mode): for
    /// a one-shot command, which would otherwise be done before Redis is in use.
    /// </summary>
    public Task WaitForFirstAttemptAsync(CancellationToken cancellationToken) =>
        _connecting?.WaitAsync(cancellationToken) ?? Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_connecting is null)
        {
            return;
        }

        if (!_connecting.IsCompleted)
        {
            // Not waiting out the connect timeout: the multiplexer is disposed when the attempt ends.
            _ = _connecting.ContinueWith(static attempt => attempt.Result?.Dispose(), CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }

        if (_connecting.Result is { } multiplexer)
        {
            await multiplexer.CloseAsync();
            multiplexer.Dispose();
        }
    }

    private static async Task<ConnectionMultiplexer?> ConnectAsync(ConfigurationOptions configuration, ILogger logger)
    {
        try
        {
            return await ConnectionMultiplexer.ConnectAsync(configuration);
        }
        catch (Exception ex)
        {
            // With AbortOnConnectFail off an unreachable Redis does not throw: this is a setting the library refused.
            LogConnectFailed(logger, ex.GetType().Name);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Redis connection could not be set up ({Error}): enriching from the in-process cache and the local limiter")]
    private static partial void LogConnectFailed(ILogger logger, string error);
}
