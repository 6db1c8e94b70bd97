using IpEnrich.Core.Telemetry;
using Microsoft.Extensions.Logging;

namespace IpEnrich.Defender.Client;

/// <summary>
/// One warning when API lookups start failing, a summary with the count every <see cref="SummaryInterval"/> while they
/// keep failing, and one line when the API answers again: an outage (an open circuit fails every lookup at once) reads
/// as a few lines, not one per lookup. Each failure is still logged at Debug.
/// </summary>
public sealed partial class ApiOutageLog(TimeProvider time, ILogger<ApiOutageLog> logger)
{
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(30);

    private readonly OutageTracker _outage = new(time, SummaryInterval);

    public void Failed(string ip, string reason, bool transient)
    {
        LogFailure(logger, ip, reason, transient);
        _outage.Failed((Logger: logger, Reason: reason, Transient: transient),
            static s => LogStarted(s.Logger, s.Reason, s.Transient, SummaryInterval.TotalSeconds),
            static (summary, s) => LogStillFailing(s.Logger, summary.Count, summary.Lasted.TotalSeconds, s.Reason));
    }

    /// <summary>A lookup got an answer (found, not seen, invalid, or throttled: the API is up).</summary>
    public void Answered()
    {
        _outage.Succeeded(logger, static (ended, log) => LogRecovered(log, ended.Count, ended.Lasted.TotalSeconds));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Defender API lookup of {Ip} failed: {Reason} (transient: {Transient})")]
    private static partial void LogFailure(ILogger logger, string ip, string reason, bool transient);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Defender API lookups failing: {Reason} (transient: {Transient}); a summary follows every {Seconds} s while it lasts")]
    private static partial void LogStarted(ILogger logger, string reason, bool transient, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Defender API lookups still failing: {Count} more failed, {Seconds:F0} s since the first (last: {Reason})")]
    private static partial void LogStillFailing(ILogger logger, long count, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Defender API answering again after {Count} failed lookups over {Seconds:F0} s")]
    private static partial void LogRecovered(ILogger logger, long count, double seconds);
}
