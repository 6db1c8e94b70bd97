using IpEnrich.Core.Telemetry;

namespace IpEnrich.Worker.Quota;

/// <summary>
/// A 429 pauses every replica; while the API keeps refusing, each retry would say so again. One warning when a pause
/// begins, a summary every 30 s while 429s continue, one line when a call is answered again.
/// </summary>
/// <param name="api">The API the pauses are for, as log lines name it.</param>
internal sealed partial class QuotaPauseLog(TimeProvider time, ILogger logger, string api = "Defender API")
{
    private readonly OutageTracker _pauses = new(time, TimeSpan.FromSeconds(30));

    public void Throttled(TimeSpan retryAfter)
    {
        _pauses.Failed((Logger: logger, RetryAfter: retryAfter, Api: api),
            static s => LogPaused(s.Logger, s.Api, s.RetryAfter.TotalSeconds),
            static (summary, s) => LogStillPaused(s.Logger, s.Api, summary.Count, summary.Lasted.TotalSeconds));
    }

    public void Answered()
    {
        _pauses.Succeeded((Logger: logger, Api: api), static (ended, s) => LogResumed(s.Logger, s.Api, ended.Count, ended.Lasted.TotalSeconds));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Api} answered 429: every replica pauses for {Seconds:F0} s")]
    private static partial void LogPaused(ILogger logger, string api, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Api} still answering 429: {Count} more, {Seconds:F0} s since the pause began")]
    private static partial void LogStillPaused(ILogger logger, string api, long count, double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Api} answering again after {Count} 429s over {Seconds:F0} s: the quota pause is over")]
    private static partial void LogResumed(ILogger logger, string api, long count, double seconds);
}
