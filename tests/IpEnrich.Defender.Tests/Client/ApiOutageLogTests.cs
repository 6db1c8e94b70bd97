using IpEnrich.Defender.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Defender.Tests.Client;

public sealed class ApiOutageLogTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly FakeLogger<ApiOutageLog> _logger = new();

    [Fact]
    public void A_storm_of_failures_is_one_warning_a_summary_per_interval_and_one_line_when_it_ends()
    {
        var log = new ApiOutageLog(_time, _logger);
        for (var second = 0; second < 65; second++)
        {
            for (var i = 0; i < 100; i++)
            {
                log.Failed($"198.51.100.{i}", "circuit open", transient: true);
            }

            _time.Advance(TimeSpan.FromSeconds(1));
        }

        log.Answered();
        log.Answered();

        var lines = _logger.Collector.GetSnapshot().Where(r => r.Level >= LogLevel.Information).ToList();
        Assert.Equal(4, lines.Count); // started, two summaries (30 s, 60 s), recovered — out of 6,500 failures
        Assert.Equal(LogLevel.Warning, lines[0].Level);
        Assert.Contains("failing: circuit open", lines[0].Message, StringComparison.Ordinal);
        Assert.Contains("3000 more failed, 30 s since the first", lines[1].Message, StringComparison.Ordinal);
        Assert.Contains("3000 more failed, 60 s since the first", lines[2].Message, StringComparison.Ordinal);
        Assert.Equal(LogLevel.Information, lines[3].Level);
        Assert.Contains("after 6500 failed lookups over 65 s", lines[3].Message, StringComparison.Ordinal);
        Assert.Equal(6500, _logger.Collector.GetSnapshot().Count(r => r.Level == LogLevel.Debug)); // each one still at Debug
    }

    [Fact]
    public void Answers_while_nothing_fails_log_nothing_and_a_new_outage_starts_a_new_warning()
    {
        var log = new ApiOutageLog(_time, _logger);
        log.Answered();
        log.Failed("192.0.2.1", "HTTP 503", transient: true);
        log.Answered();
        log.Failed("192.0.2.2", "HTTP 503", transient: true);

        var warnings = _logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Warning).ToList();
        Assert.Equal(2, warnings.Count);
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Level == LogLevel.Information);
    }
}
