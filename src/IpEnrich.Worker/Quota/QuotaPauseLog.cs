using IpEnrich.Core.Telemetry;

namespace IpEnrich.Worker.Quota;

/// <summary>
/// A 429 pauses every replica; while the API keeps refusing, each retry would say so again. One warning when a pause
/// begins, a summary every 30 s while 429s continue, one line when a call is answered again.
/// </summary>
internal sealed partial class QuotaPauseLog(TimeProvider time, ILogger logger)
{
    private readonly OutageTracker _pauses = new(time, TimeSpan.FromSeconds(30));

    public void Throttled(TimeSpan retryAfter)
    {
        _pauses.Failed((Logger: logger, RetryAfter: retryAfter), static (change, s) =>
        {
            if (change.Change == OutageChange.Started)
            {
                LogPaused(s.Logger, s.RetryAfter.TotalSeconds);
            }
            else
            {
                LogStillPaused(s.Logger, change.Count, change.Lasted.TotalSeconds);
            }
        });
    }

    public void Answered()
    {
        _pauses.Succeeded(logger, static (ended, log) => LogResumed(log, ended.Count, ended.Lasted.TotalSeconds));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Defender API answered 429: every replica pauses for {Seconds} s (Retry-After)")]
    private static partial void LogPaused(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Defender API still answering 429: {Count} more, {Seconds:F0} s since the pause began")]
    private static partial void LogStillPaused(ILogger logger, long count, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Defender API answering again after {Count} 429s over {Seconds:F0} s: the quota pause is over")]
    private static partial void LogResumed(ILogger logger, long count, double seconds);
}
