using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Backlog;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Backlog;

public sealed class MemoryBacklogStoreTests : BacklogStoreContract
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero));

    private protected override Task<IBacklogStore> StoreAsync(BacklogOptions options) =>
        Task.FromResult<IBacklogStore>(new MemoryBacklogStore(options, _time));

    protected override TimeSpan ShortLease => TimeSpan.FromSeconds(30);

    protected override Task PassAsync(TimeSpan span)
    {
        _time.Advance(span);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Older_than_MaxAge_is_dropped_when_a_new_lookup_joins()
    {
        var store = new MemoryBacklogStore(new BacklogOptions { MaxAge = TimeSpan.FromHours(24) }, _time);
        await store.WantAsync([Ip(1)], AlertPriority.Critical);
        _time.Advance(TimeSpan.FromHours(25));

        Assert.Equal(1, await store.WantAsync([Ip(2)], AlertPriority.Low));
        Assert.Equal(Ip(2), (await store.ClaimAsync(TimeSpan.FromMinutes(1)))!.Target);
    }

    [Fact]
    public async Task A_lease_that_ends_returns_the_lookup()
    {
        var store = new MemoryBacklogStore(new BacklogOptions(), _time);
        await store.WantAsync([Ip(1)], AlertPriority.Normal);
        Assert.NotNull(await store.ClaimAsync(TimeSpan.FromSeconds(30)));
        Assert.Null(await store.ClaimAsync(TimeSpan.FromSeconds(30)));

        _time.Advance(TimeSpan.FromSeconds(31));

        Assert.Equal(Ip(1), (await store.ClaimAsync(TimeSpan.FromSeconds(30)))!.Target);
    }
}
