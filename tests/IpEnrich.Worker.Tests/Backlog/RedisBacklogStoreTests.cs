using IpEnrich.Core.Enrichment;
using IpEnrich.Testing;
using IpEnrich.Worker.Backlog;
using StackExchange.Redis;

namespace IpEnrich.Worker.Tests.Backlog;

/// <summary>The shared store on a real redis-server: the same rules as in the process, and what only sharing adds.</summary>
[Trait("Category", "Integration")]
public sealed class RedisBacklogStoreTests : BacklogStoreContract, IAsyncLifetime
{
    private RedisServer? _server;
    private ConnectionMultiplexer? _redis;

    public async ValueTask InitializeAsync()
    {
        _server = await RedisServer.StartOrSkipAsync();
        _redis = await ConnectionMultiplexer.ConnectAsync(_server.ConnectionString);
    }

    public async ValueTask DisposeAsync()
    {
        _redis?.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    private protected override Task<IBacklogStore> StoreAsync(BacklogOptions options) =>
        Task.FromResult<IBacklogStore>(Store(options, "commercial-tenant"));

    // Redis' own clock: real time passes, with a lease long enough for a loaded machine's delays between the steps.
    protected override TimeSpan ShortLease => TimeSpan.FromSeconds(2);

    protected override Task PassAsync(TimeSpan span) => Task.Delay(span, TestContext.Current.CancellationToken);

    private RedisBacklogStore Store(BacklogOptions options, string profile) => new(() => _redis!.GetDatabase(), profile, options);

    [Fact]
    public async Task Two_replicas_share_one_backlog_and_never_take_the_same_lookup()
    {
        var a = Store(new BacklogOptions(), "p");
        var b = Store(new BacklogOptions(), "p");
        await a.WantAsync([.. Enumerable.Range(0, 50).Select(Ip)], AlertPriority.Normal);
        await b.WantAsync([.. Enumerable.Range(25, 50).Select(Ip)], AlertPriority.Normal);

        var taken = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => (i % 2 == 0 ? a : b).ClaimAsync(TimeSpan.FromMinutes(1))));

        var targets = taken.Where(c => c is not null).Select(c => c!.Target).ToList();
        Assert.Equal(75, targets.Count);
        Assert.Equal(75, targets.Distinct().Count());
        Assert.Equal(75, (await a.SnapshotAsync()).Total);
    }

    [Fact]
    public async Task A_lookup_held_by_a_replica_that_died_returns_when_its_lease_ends()
    {
        var dead = Store(new BacklogOptions(), "p");
        var alive = Store(new BacklogOptions(), "p");
        await dead.AddWaiterAsync(Ip(1), AlertPriority.High, Alert(3));
        Assert.NotNull(await dead.ClaimAsync(TimeSpan.FromMilliseconds(300))); // then killed: no return, no complete

        Assert.Null(await alive.ClaimAsync(TimeSpan.FromMinutes(1)));
        ClaimedLookup? again = null;
        await Eventually.UntilAsync(async () => (again = await alive.ClaimAsync(TimeSpan.FromMinutes(1))) is not null, TimeSpan.FromSeconds(10),
            "the lease ends and the lookup is taken again", TestContext.Current.CancellationToken);
        Assert.Equal([Alert(3)], (await alive.WaitersAsync(again!)).Kept, AlertReferenceComparer.Instance);
    }

    [Fact]
    public async Task Every_key_carries_the_profile_hash_tag()
    {
        var store = Store(new BacklogOptions(), "gcc-tenant");
        await store.AddWaiterAsync(Ip(1), AlertPriority.Normal, Alert(1));

        var keys = _redis!.GetServer(_redis.GetEndPoints()[0]).Keys(pattern: "*").Select(k => (string)k!).ToList();

        Assert.NotEmpty(keys);
        Assert.All(keys, k => Assert.Contains("{backlog:gcc-tenant}", k, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Older_than_MaxAge_is_dropped_by_the_server_clock()
    {
        var store = Store(new BacklogOptions { MaxAge = TimeSpan.FromMilliseconds(200) }, "p");
        await store.WantAsync([Ip(1)], AlertPriority.Critical);
        var next = 1;

        await Eventually.UntilAsync(async () => await store.WantAsync([Ip(++next)], AlertPriority.Low) > 0, TimeSpan.FromSeconds(10),
            "the critical lookup grows older than MaxAge and is dropped", TestContext.Current.CancellationToken);

        Assert.NotEqual(Ip(1), (await store.ClaimAsync(TimeSpan.FromMinutes(1)))!.Target);
    }
}
