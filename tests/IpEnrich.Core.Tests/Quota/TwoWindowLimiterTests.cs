using IpEnrich.Core.Quota;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Core.Tests.Quota;

public sealed class TwoWindowLimiterTests
{
    private static (TwoWindowLimiter Limiter, FakeTimeProvider Time) Create(int perMinute = 100, int perHour = 1500)
    {
        var time = new FakeTimeProvider();
        return (new TwoWindowLimiter(time, new QuotaWindow(perMinute, TimeSpan.FromMinutes(1)), new QuotaWindow(perHour, TimeSpan.FromHours(1))), time);
    }

    [Fact]
    public void At_most_n_in_any_minute_and_the_retry_after_is_exact()
    {
        var (limiter, time) = Create();
        for (var i = 0; i < 100; i++)
        {
            Assert.True(limiter.TryAcquire(0, out _));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        Assert.False(limiter.TryAcquire(0, out var wait));
        Assert.Equal(TimeSpan.FromSeconds(50), wait); // the first slot was taken 10 s ago
        time.Advance(wait - TimeSpan.FromTicks(1));
        Assert.False(limiter.TryAcquire(0, out _));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.True(limiter.TryAcquire(0, out _));
        Assert.False(limiter.TryAcquire(0, out _)); // sliding: the second slot frees 100 ms later, not a new bucket
    }

    [Fact]
    public void At_most_m_in_any_hour()
    {
        var (limiter, time) = Create(perMinute: 100, perHour: 250);
        var taken = 0;
        for (var minute = 0; minute < 5; minute++)
        {
            while (limiter.TryAcquire(0, out _))
            {
                taken++;
            }

            time.Advance(TimeSpan.FromMinutes(1));
        }

        Assert.Equal(250, taken);
        Assert.False(limiter.TryAcquire(0, out var wait));
        Assert.Equal(TimeSpan.FromMinutes(55), wait);
        Assert.Equal((100, 0), limiter.Remaining());
    }

    [Fact]
    public void A_reserve_keeps_the_last_slots_for_those_who_may_spend_it()
    {
        var (limiter, _) = Create(perMinute: 1000, perHour: 10);
        for (var i = 0; i < 8; i++)
        {
            Assert.True(limiter.TryAcquire(reserve: 2, out _));
        }

        Assert.False(limiter.TryAcquire(reserve: 2, out var wait));
        Assert.True(wait > TimeSpan.Zero);
        Assert.True(limiter.TryAcquire(reserve: 0, out _));
        Assert.True(limiter.TryAcquire(reserve: 0, out _));
        Assert.False(limiter.TryAcquire(reserve: 0, out _));
    }

    [Fact]
    public void A_released_slot_is_free_again_in_both_windows_and_occupied_ones_are_not_held()
    {
        var (limiter, _) = Create(perMinute: 3, perHour: 5);
        Assert.True(limiter.TryAcquire(0, out _, out var first));
        Assert.True(limiter.TryAcquire(0, out _, out _));
        Assert.True(limiter.TryAcquire(0, out _, out _));
        Assert.False(limiter.TryAcquire(0, out _));

        limiter.Release(first);
        Assert.Equal((1, 3), limiter.Remaining());
        Assert.True(limiter.TryAcquire(0, out _));
        limiter.Release(first); // twice: nothing more
        Assert.Equal((0, 2), limiter.Remaining());

        limiter.Occupy(0, 2);
        Assert.Equal((0, 0), limiter.Remaining());
        Assert.Equal(3, limiter.HeldAges().Count); // what others spent is not this limiter's to hand over
    }
}
