using IpEnrich.Core.Telemetry;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Core.Tests.Telemetry;

public sealed class OutageTrackerTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void An_outage_starts_once_summarises_each_interval_with_the_count_since_and_ends_with_the_total()
    {
        var tracker = new OutageTracker(_time, TimeSpan.FromSeconds(30));
        Assert.Equal(OutageChange.None, tracker.Succeeded().Change); // healthy: nothing to end
        Assert.Equal(new OutageEvent(OutageChange.Started, 1, TimeSpan.Zero), tracker.Failed());
        Assert.True(tracker.IsFailing);

        for (var i = 0; i < 9; i++)
        {
            _time.Advance(TimeSpan.FromSeconds(3));
            Assert.Equal(OutageChange.None, tracker.Failed().Change);
        }

        _time.Advance(TimeSpan.FromSeconds(3)); // 30 s after the start
        Assert.Equal(new OutageEvent(OutageChange.Summary, 10, TimeSpan.FromSeconds(30)), tracker.Failed());
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Equal(OutageChange.None, tracker.Failed().Change);
        Assert.Equal(TimeSpan.FromSeconds(59), tracker.FailingFor);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(new OutageEvent(OutageChange.Ended, 12, TimeSpan.FromSeconds(60)), tracker.Succeeded());
        Assert.False(tracker.IsFailing);
        Assert.Equal(TimeSpan.Zero, tracker.FailingFor);
        Assert.Equal(OutageChange.None, tracker.Succeeded().Change);
        Assert.Equal(OutageChange.Started, tracker.Failed().Change); // the next outage is a new one
    }

    [Fact]
    public void The_start_and_each_summary_go_to_their_own_report()
    {
        var tracker = new OutageTracker(_time, TimeSpan.FromSeconds(30));
        var reports = new List<string>();
        for (var second = 0; second <= 30; second++)
        {
            tracker.Failed(reports, static log => log.Add("started"), static (summary, log) => log.Add($"summary {summary.Count} in {summary.Lasted.TotalSeconds} s"));
            _time.Advance(TimeSpan.FromSeconds(1));
        }

        Assert.Equal(["started", "summary 30 in 30 s"], reports);
    }

    [Fact]
    public void Many_threads_failing_at_once_start_the_outage_exactly_once()
    {
        var tracker = new OutageTracker(_time, TimeSpan.FromSeconds(30));
        var changes = new System.Collections.Concurrent.ConcurrentBag<OutageChange>();
        Parallel.For(0, 1000, _ => changes.Add(tracker.Failed().Change));
        Assert.Equal(1, changes.Count(c => c == OutageChange.Started));
        Assert.Equal(999, changes.Count(c => c == OutageChange.None));
        Assert.Equal(1000, tracker.Succeeded().Count);
    }
}
