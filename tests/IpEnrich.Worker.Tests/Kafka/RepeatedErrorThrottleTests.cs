using Confluent.Kafka;
using IpEnrich.Worker.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class RepeatedErrorThrottleTests
{
    [Fact]
    public void Repeats_of_one_error_are_logged_once_per_interval_with_the_count_left_out()
    {
        var time = new FakeTimeProvider();
        var throttle = new RepeatedErrorThrottle(time);

        Assert.True(throttle.ShouldLog("consumer", ErrorCode.Local_Transport, out var suppressed));
        Assert.Equal(0, suppressed);
        for (var i = 0; i < 55; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(50));
            Assert.False(throttle.ShouldLog("consumer", ErrorCode.Local_Transport, out _));
        }

        // Another code, or the same code from the other client, is news.
        Assert.True(throttle.ShouldLog("consumer", ErrorCode.Local_AllBrokersDown, out _));
        Assert.True(throttle.ShouldLog("producer", ErrorCode.Local_Transport, out _));

        time.Advance(RepeatedErrorThrottle.Interval);
        Assert.True(throttle.ShouldLog("consumer", ErrorCode.Local_Transport, out suppressed));
        Assert.Equal(55, suppressed);
        Assert.False(throttle.ShouldLog("consumer", ErrorCode.Local_Transport, out _));
    }
}
