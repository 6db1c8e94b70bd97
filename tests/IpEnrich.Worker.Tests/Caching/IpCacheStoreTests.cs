using System.Net;
using IpEnrich.Testing;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Logging;

namespace IpEnrich.Worker.Tests.Caching;

public sealed class IpCacheStoreTests
{
    [Fact]
    [Trait("Category", "Integration")]
    public async Task Health_flipped_from_many_threads_logs_each_change_once_and_in_order()
    {
        await using var server = await RedisServer.StartOrSkipAsync();
        await using var parts = await RedisParts.ConnectedAsync(server);
        var cache = parts.Cache;
        // GET on a hash is answered with WRONGTYPE: a Redis error, which the store takes for Redis being down.
        var broken = cache.Key(IPAddress.Parse("192.0.2.1"), 720);
        var absent = cache.Key(IPAddress.Parse("192.0.2.2"), 720);
        await parts.Connection.Database!.HashSetAsync(broken.Text, "field", "value");

        // Each task alternates a failing and a succeeding read: the health flips all the time, from many threads at once.
        var flipping = Enumerable.Range(0, 16).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                await cache.GetAsync(broken);
                await cache.GetAsync(absent);
            }
        }, TestContext.Current.CancellationToken));
        await Task.WhenAll(flipping);
        await cache.GetAsync(absent);

        // Down and up alternate, starting from healthy and ending where the store ended: no change twice, none left out.
        var logged = parts.Logs.GetSnapshot().Where(r => r.Category == typeof(IpEnrich.Worker.Redis.RedisHealth).FullName && r.Level > LogLevel.Debug)
            .Select(r => r.Level == LogLevel.Warning ? "down" : "up").ToList();
        Assert.True(cache.RedisHealthy);
        Assert.NotEmpty(logged);
        Assert.Equal(Enumerable.Range(0, logged.Count).Select(i => i % 2 == 0 ? "down" : "up"), logged);
        Assert.Equal("up", logged[^1]);
    }
}
