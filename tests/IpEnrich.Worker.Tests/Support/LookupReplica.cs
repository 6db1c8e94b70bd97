using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>One worker replica's lookup service: its own Redis connection, the emulator as the API, real time.</summary>
public sealed class LookupReplica : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private LookupReplica(RunningEmulator emulator, RedisServer? redis, IDictionary<string, string?>? overrides, TimeProvider? time)
    {
        var settings = emulator.DefenderSettings();
        settings["Redis:ConnectionString"] = redis?.ConnectionString;
        settings["Defender:Resilience:MaxRetries"] = "0";
        foreach (var (key, value) in overrides ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddSingleton(time ?? TimeProvider.System);
        services.AddLogging(b => b.AddFakeLogging().SetMinimumLevel(LogLevel.Debug));
        services.AddIpEnrichLookups(configuration);
        _services = services.BuildServiceProvider();
    }

    /// <summary>A replica whose Redis connection, if any, is up: the tests are about what it does with Redis.</summary>
    public static async Task<LookupReplica> StartAsync(RunningEmulator emulator, RedisServer? redis, IDictionary<string, string?>? overrides = null,
        TimeProvider? time = null)
    {
        var replica = new LookupReplica(emulator, redis, overrides, time);
        var connection = replica.Get<RedisConnection>();
        await connection.WaitForFirstAttemptAsync(TestContext.Current.CancellationToken);
        Assert.Equal(redis is not null, connection.IsConnected);
        return replica;
    }

    public LookupService Service => _services.GetRequiredService<LookupService>();

    public IpCacheStore Cache => _services.GetRequiredService<IpCacheStore>();

    public IQuotaGate Quota => _services.GetRequiredService<IQuotaGate>();

    public FakeLogCollector Logs => _services.GetFakeLogCollector();

    public T Get<T>()
        where T : notnull => _services.GetRequiredService<T>();

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
