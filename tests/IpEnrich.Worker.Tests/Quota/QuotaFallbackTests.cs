using IpEnrich.Core.Enrichment;
using IpEnrich.Testing;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Quota;

/// <summary>
/// The shared quota through a Redis stall (<c>CLIENT PAUSE</c> on a real redis-server, longer than <c>Redis:Timeout</c>):
/// nothing granted in the grace, then this replica's share of what the shared windows had left, and on return the
/// slots spent meanwhile counted in the shared windows. The grace and the fallback run on a fake clock.
/// </summary>
[Trait("Category", "Integration")]
public sealed class QuotaFallbackTests
{
    private const int Replicas = 3;
    private const int SpentBefore = 30;
    private static readonly QuotaOptions Quota = new() { PerMinute = 100, PerHour = 1500, ExpectedReplicas = Replicas, HighPriorityReserve = 0 };

    [Fact]
    public async Task A_stall_grants_nothing_in_the_grace_then_a_share_of_what_was_left_and_the_shared_windows_count_it_on_return()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RedisServer.StartOrSkipAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var parts = await RedisParts.ConnectedAsync(server, Quota, o =>
        {
            o.Timeout = TimeSpan.FromMilliseconds(300);
            o.FallbackGrace = TimeSpan.FromSeconds(5);
        }, time);
        var gate = parts.Quota;
        for (var i = 0; i < SpentBefore; i++)
        {
            Assert.True((await gate.TryAcquireAsync(AlertPriority.Normal, ct)).IsShared);
        }

        await server.PauseClientsAsync(TimeSpan.FromSeconds(3));
        var inGrace = await gate.TryAcquireAsync(AlertPriority.Critical, ct);
        Assert.False(inGrace.Allowed); // a stall is not yet an outage: no call another replica might make too
        Assert.False(parts.Health.IsHealthy);

        time.Advance(TimeSpan.FromSeconds(5));
        var local = 0;
        while ((await gate.TryAcquireAsync(AlertPriority.Normal, ct)) is { Allowed: true } granted)
        {
            Assert.False(granted.IsShared);
            local++;
        }

        // A third of the effective 95 a minute, less a third of the 30 every replica had already spent.
        Assert.Equal((Quota.EffectivePerMinute / Replicas) - (SpentBefore / Replicas), local);

        await Eventually.UntilAsync(server.AnswersAsync, TimeSpan.FromSeconds(10), "the pause is over", ct);
        // The client may have dropped the connection after its timeouts: the next probe is the one after it is back.
        await Eventually.UntilAsync(() => parts.Connection.IsConnected, TimeSpan.FromSeconds(10), "the connection is up again", ct);
        time.Advance(TimeSpan.FromSeconds(1)); // the next probe of Redis
        var back = await gate.TryAcquireAsync(AlertPriority.Normal, ct);

        Assert.True(back.IsShared);
        Assert.True(parts.Health.IsHealthy);
        Assert.Equal(Quota.EffectivePerMinute - SpentBefore - local - 1, gate.Remaining.Minute); // no burst: what was spent locally counts
        var loud = parts.Logs.GetSnapshot().Where(r => r.Level >= LogLevel.Warning).ToList();
        Assert.Equal("Redis calls failing", Assert.Single(loud).Message[..19]);
    }

    [Fact]
    public async Task A_call_that_never_left_gives_its_shared_slot_back()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var server = await RedisServer.StartOrSkipAsync();
        await using var parts = await RedisParts.ConnectedAsync(server, Quota);
        var granted = new List<QuotaDecision>();
        for (var i = 0; i < 10; i++)
        {
            granted.Add(await parts.Quota.TryAcquireAsync(AlertPriority.Normal, ct));
        }

        foreach (var decision in granted.Take(4))
        {
            await parts.Quota.ReleaseAsync(decision, ct);
        }

        Assert.True((await parts.Quota.TryAcquireAsync(AlertPriority.Normal, ct)).IsShared);
        Assert.Equal(Quota.EffectivePerMinute - 10 + 4 - 1, parts.Quota.Remaining.Minute);
    }
}
