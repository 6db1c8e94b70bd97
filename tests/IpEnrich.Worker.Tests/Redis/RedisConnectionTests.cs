using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using IpEnrich.Testing;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Redis;

public sealed class RedisConnectionTests
{
    // A fifth of the connect timeout below: room for a loaded machine, far from what a blocking connect takes.
    private static readonly TimeSpan DoesNotBlock = TimeSpan.FromSeconds(2);

    [Fact]
    [Trait("Category", "Integration")]
    public async Task A_redis_that_accepts_but_never_answers_neither_blocks_resolution_nor_disposal()
    {
        // Listening without ever reading: the kernel completes the TCP handshake, the Redis handshake never comes.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var parts = new RedisParts($"127.0.0.1:{((IPEndPoint)silent.LocalEndpoint).Port},connectTimeout=10000");

        var watch = Stopwatch.StartNew();
        var connection = parts.Connection;
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, DoesNotBlock);
        Assert.True(connection.IsConfigured);
        Assert.False(connection.IsConnected);
        Assert.Null(connection.Database);
        Assert.Null(await parts.Cache.GetAsync(parts.Cache.Key(IPAddress.Loopback, 720))); // a miss, as while Redis is down

        watch.Restart();
        await parts.DisposeAsync();
        Assert.InRange(watch.Elapsed, TimeSpan.Zero, DoesNotBlock);
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task With_a_running_redis_the_connection_comes_up_in_the_background()
    {
        await using var server = await RedisServer.StartOrSkipAsync();
        await using var parts = await RedisParts.ConnectedAsync(server);
        Assert.True(parts.Connection.IsConfigured);
        await parts.Connection.Database!.PingAsync();
    }

    [Fact]
    public async Task Without_a_connection_string_there_is_no_redis()
    {
        await using var parts = new RedisParts(connectionString: null);
        Assert.False(parts.Connection.IsConfigured);
        Assert.False(parts.Connection.IsConnected);
        Assert.Null(parts.Connection.Database);
    }
}
