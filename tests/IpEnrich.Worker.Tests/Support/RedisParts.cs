using IpEnrich.Defender.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>
/// One replica's Redis-backed parts (connection, cache without L1, shared quota) on the real clock, with logs
/// collected; no Defender client or emulator. Nothing is created until first asked for.
/// </summary>
public sealed class RedisParts : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    /// <param name="redis">Changes to the Redis options (timeouts, grace) beyond the connection string.</param>
    /// <param name="time">The clock of the parts (the grace and the fallback limiter); the real one when null.</param>
    public RedisParts(string? connectionString, QuotaOptions? quota = null, Action<RedisOptions>? redis = null, TimeProvider? time = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Debug));
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddMetrics();
        services.AddSingleton<IpEnrich.Core.Telemetry.IpEnrichTelemetry>();
        services.AddSingleton<RedisHealth>();
        services.Configure<RedisOptions>(o =>
        {
            o.ConnectionString = connectionString;
            redis?.Invoke(o);
        });
        services.Configure<CacheOptions>(o => o.L1Capacity = 0); // every read goes to Redis
        services.Configure<DefenderOptions>(o => o.TenantId = "tenant");
        services.AddSingleton(Options.Create(quota ?? new QuotaOptions()));
        services.AddSingleton<RedisConnection>();
        services.AddSingleton<CacheProfile>();
        services.AddSingleton<IpCacheStore>();
        services.AddSingleton<RedisQuotaGate>();
        _services = services.BuildServiceProvider();
    }

    public RedisConnection Connection => _services.GetRequiredService<RedisConnection>();

    public IpCacheStore Cache => _services.GetRequiredService<IpCacheStore>();

    public RedisQuotaGate Quota => _services.GetRequiredService<RedisQuotaGate>();

    public RedisHealth Health => _services.GetRequiredService<RedisHealth>();

    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    /// <summary>The parts on <paramref name="server"/>, once their connection (made in the background) is up; fails the test if it does not come up.</summary>
    public static async Task<RedisParts> ConnectedAsync(RedisServer server, QuotaOptions? quota = null, Action<RedisOptions>? redis = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(server);
        var parts = new RedisParts(server.ConnectionString, quota, redis, time);
        await Eventually.UntilAsync(() => parts.Connection.IsConnected, TimeSpan.FromSeconds(10), "the connection to redis-server is up", TestContext.Current.CancellationToken);
        return parts;
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
