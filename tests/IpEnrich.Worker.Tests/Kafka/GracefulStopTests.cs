using IpEnrich.Worker.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class GracefulStopTests
{
    private static readonly TimeSpan Drain = TimeSpan.FromSeconds(20);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeLogger _logger = new();

    [Fact]
    public void A_stop_that_outlasts_its_drain_time_names_the_step_it_is_stuck_in_until_it_is_done()
    {
        using var stop = new GracefulStop(_time, Drain, _logger);
        stop.Step("finishing in-flight messages");
        _time.Advance(TimeSpan.FromSeconds(5));
        stop.Step("leaving the consumer group");
        _time.Advance(Drain + GracefulStop.Grace - TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(1));
        Assert.Empty(Warnings());

        _time.Advance(TimeSpan.FromMilliseconds(1));
        _time.Advance(GracefulStop.Grace);
        Assert.Equal(["Graceful stop still leaving the consumer group after 30 s", "Graceful stop still leaving the consumer group after 40 s"], Warnings());

        stop.Done(leftGroup: true, GroupExit.Timeout);
        _time.Advance(GracefulStop.Grace * 3);
        Assert.Equal(2, Warnings().Count);
        Assert.Equal("Stopped: drained, committed and left the group in 40.0 s", _logger.LatestRecord.Message);
    }

    [Fact]
    public void A_quick_stop_logs_its_start_and_its_duration_only()
    {
        using var stop = new GracefulStop(_time, Drain, _logger);
        _time.Advance(TimeSpan.FromMilliseconds(1500));
        stop.Done(leftGroup: true, GroupExit.Timeout);
        _time.Advance(Drain * 3);

        Assert.Equal([LogLevel.Information, LogLevel.Information], _logger.Collector.GetSnapshot().Select(r => r.Level));
        Assert.StartsWith("Stopping: ", _logger.Collector.GetSnapshot()[0].Message, StringComparison.Ordinal);
        Assert.Equal("Stopped: drained, committed and left the group in 1.5 s", _logger.LatestRecord.Message);
    }

    [Fact]
    public void A_stop_whose_close_hung_says_the_group_moves_the_partitions_later()
    {
        using var stop = new GracefulStop(_time, Drain, _logger);
        _time.Advance(TimeSpan.FromSeconds(12));
        stop.Done(leftGroup: false, TimeSpan.FromSeconds(10));

        Assert.Equal(
            "Stopped: drained and committed in 12.0 s, but leaving the consumer group did not finish within 10 s (librdkafka's close); "
            + "the group moves this replica's partitions after session.timeout.ms",
            Assert.Single(Warnings()));
    }

    private List<string> Warnings() => [.. _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).Select(r => r.Message)];
}
