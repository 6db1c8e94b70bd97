using IpEnrich.Defender.Auth;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.Abstractions;

namespace IpEnrich.Defender.Tests.Auth;

public sealed class MsalLogBridgeTests
{
    private const string Failure = "Exception type: MsalServiceException\n, ErrorCode: request_timeout\n   at Microsoft.Identity.Client.Http.HttpManager.SendRequestAsync()";

    [Fact]
    public void An_unreachable_authority_is_one_error_a_summary_per_interval_and_one_line_when_tokens_come_again()
    {
        var time = new FakeTimeProvider();
        var logger = new FakeLogger();
        var bridge = new MsalLogBridge(logger, time);
        for (var second = 0; second < 40; second++)
        {
            for (var i = 0; i < 10; i++)
            {
                bridge.Log(new LogEntry { EventLogLevel = EventLogLevel.Error, Message = Failure });
            }

            time.Advance(TimeSpan.FromSeconds(1));
        }

        bridge.Succeeded();
        bridge.Succeeded();

        var lines = logger.Collector.GetSnapshot().Where(r => r.Level >= LogLevel.Information).Select(r => (r.Level, r.Message)).ToList();
        Assert.Equal(
        [
            (LogLevel.Error, "MSAL: Exception type: MsalServiceException; a summary follows every 30 s while tokens fail"),
            (LogLevel.Warning, "MSAL: still failing: 300 more errors, 30 s since the first (last: Exception type: MsalServiceException)"),
            (LogLevel.Information, "MSAL: tokens acquired again after 400 errors over 40 s"),
        ], lines);
        // Each entry is kept in full at Debug, stack trace included.
        Assert.Equal(400, logger.Collector.GetSnapshot().Count(r => r.Level == LogLevel.Debug && r.Message.Contains("SendRequestAsync", StringComparison.Ordinal)));
    }

    [Fact]
    public void Warnings_pass_through_and_routine_entries_are_not_enabled()
    {
        var logger = new FakeLogger();
        var bridge = new MsalLogBridge(logger, new FakeTimeProvider());
        bridge.Log(new LogEntry { EventLogLevel = EventLogLevel.Warning, Message = "clock skew" });

        Assert.Equal("MSAL: clock skew", Assert.Single(logger.Collector.GetSnapshot()).Message);
        Assert.False(bridge.IsEnabled(EventLogLevel.LogAlways));
        Assert.False(bridge.IsEnabled(EventLogLevel.Informational));
    }
}
