using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Backlog;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Backlog;

public sealed class BacklogPacingTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void A_refusal_or_an_outage_cancels_the_token_every_waiting_alert_registered_on_and_the_next_wait_gets_a_fresh_one()
    {
        var pacing = new BacklogPacing(_time);
        var waiting = pacing.NextBlock;
        var woken = 0;
        using var first = waiting.UnsafeRegister(_ => Interlocked.Increment(ref woken), null);
        using var second = waiting.UnsafeRegister(_ => Interlocked.Increment(ref woken), null);
        var answered = waiting.UnsafeRegister(_ => Interlocked.Increment(ref woken), null);
        answered.Dispose(); // its answers came first: it no longer waits for a block

        pacing.QuotaDenied(AlertPriority.Normal, TimeSpan.FromSeconds(30));
        Assert.Equal(2, woken);
        Assert.True(pacing.BlockedBeyond(AlertPriority.Normal, TimeSpan.FromSeconds(10)));
        Assert.False(pacing.BlockedBeyond(AlertPriority.Critical, TimeSpan.FromSeconds(10))); // the reserve is not refused

        var next = pacing.NextBlock;
        Assert.False(next.IsCancellationRequested);
        pacing.Outage();
        Assert.True(next.IsCancellationRequested);
        Assert.True(pacing.BlockedBeyond(AlertPriority.Critical, TimeSpan.FromMilliseconds(500)));

        // A waiter that read the token just before the block registers on a cancelled one: it runs at once.
        using var late = waiting.UnsafeRegister(_ => Interlocked.Increment(ref woken), null);
        Assert.Equal(3, woken);
    }
}
