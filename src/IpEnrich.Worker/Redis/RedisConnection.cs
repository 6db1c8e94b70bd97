using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IpEnrich.Worker.Redis;

/// <summary>
/// The shared Redis connection, or none in single-instance mode. It never blocks start-up on Redis: the multiplexer
/// keeps reconnecting in the background, and callers treat an unreachable Redis as a cache miss plus the local limiter.
/// </summary>
public sealed class RedisConnection : IAsyncDisposable
{
    private readonly ConnectionMultiplexer? _multiplexer;

    public RedisConnection(IOptions<RedisOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Value.ConnectionString))
        {
            return;
        }

        var configuration = ConfigurationOptions.Parse(options.Value.ConnectionString);
        configuration.AbortOnConnectFail = false;
        configuration.ClientName ??= "ipenrich";
        // While Redis is unreachable, fail at once (and use the fallback) rather than queue until the alert's wait is gone.
        configuration.BacklogPolicy = BacklogPolicy.FailFast;
        // Try again every second, so a restarted Redis is back in use within seconds.
        configuration.ReconnectRetryPolicy ??= new LinearRetry(1000);
        _multiplexer = ConnectionMultiplexer.Connect(configuration);
    }

    /// <summary>False in single-instance (Redis-less) mode.</summary>
    public bool IsConfigured => _multiplexer is not null;

    public bool IsConnected => _multiplexer?.IsConnected == true;

    /// <summary>The database, or null in single-instance mode.</summary>
    public IDatabase? Database => _multiplexer?.GetDatabase();

    public async ValueTask DisposeAsync()
    {
        if (_multiplexer is not null)
        {
            await _multiplexer.CloseAsync();
            _multiplexer.Dispose();
        }
    }
}
