using IpEnrich.Worker.Kafka;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class FillLevelTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static FillLevel Holding(int items, int highMark)
    {
        var level = new FillLevel(highMark);
        for (var i = 0; i < items; i++)
        {
            level.Add();
        }

        return level;
    }

    [Fact]
    public void Below_its_high_mark_the_consume_thread_does_not_wait()
    {
        using var level = Holding(3, highMark: 4);

        Assert.True(level.WaitForRoom(TimeSpan.Zero));
        level.Add();
        Assert.False(level.WaitForRoom(TimeSpan.Zero));
        Assert.Equal(4, level.Count);
    }

    [Fact]
    public async Task At_its_high_mark_the_consume_thread_waits_until_the_stage_has_taken_up_half()
    {
        using var level = Holding(8, highMark: 8);

        Assert.False(level.WaitForRoom(TimeSpan.Zero)); // the waiter has reset the signal, as a real wait does
        var waiting = Task.Factory.StartNew(() => level.WaitForRoom(Patience), TestContext.Current.CancellationToken, TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        for (var i = 0; i < 4; i++)
        {
            level.Remove(); // the stage takes items up on its own thread
        }

        Assert.True(await waiting.WaitAsync(Patience, TestContext.Current.CancellationToken));
        Assert.Equal(4, level.Count);
    }

    [Fact]
    public void Room_is_judged_by_the_count_and_a_wait_that_runs_out_says_the_level_is_still_high()
    {
        using var level = Holding(4, highMark: 4);

        Assert.False(level.WaitForRoom(TimeSpan.Zero));
        level.Remove(); // below the mark, not yet at half: no wake-up is sent, but the count says there is room
        Assert.True(level.WaitForRoom(TimeSpan.Zero));

        level.Add();
        Assert.False(level.WaitForRoom(TimeSpan.FromMilliseconds(1)));
    }

    [Fact]
    public void A_high_mark_below_one_is_refused() => Assert.Throws<ArgumentOutOfRangeException>(() => new FillLevel(0));
}
