using IpEnrich.Worker.Kafka;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class CommitGateTests
{
    [Fact]
    public async Task Closing_gives_up_after_its_timeout_while_a_lane_stays_inside()
    {
        using var gate = new CommitGate();
        await gate.EnterAsync(TestContext.Current.CancellationToken); // a lane stuck producing (broker down, queue full)

        Assert.False(gate.Close(TimeSpan.FromMilliseconds(20)));

        // Closed: a new lane waits until the committer opens the gate again.
        var entering = gate.EnterAsync(TestContext.Current.CancellationToken).AsTask();
        Assert.False(entering.IsCompleted);
        gate.Open();
        await entering.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        gate.Exit();
        gate.Exit();
    }

    [Fact]
    public async Task Closing_succeeds_as_soon_as_the_lanes_inside_have_left()
    {
        using var gate = new CommitGate();
        await gate.EnterAsync(TestContext.Current.CancellationToken);
        gate.Exit();

        Assert.True(gate.Close(TimeSpan.Zero));
        gate.Open();
    }
}
