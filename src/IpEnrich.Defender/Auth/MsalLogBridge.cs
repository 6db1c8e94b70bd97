using IpEnrich.Core.Telemetry;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Abstractions;

namespace IpEnrich.Defender.Auth;

/// <summary>
/// MSAL's own warnings and errors into ILogger. PII logging stays off, so no token or secret reaches it. MSAL logs
/// every failed acquisition, stack trace included: while the authority fails, that is one warning when it starts, a
/// summary every 30 s and one line when a token comes again; each entry in full at Debug.
/// </summary>
internal sealed partial class MsalLogBridge(ILogger logger, TimeProvider time) : IIdentityLogger
{
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(30);

    private readonly OutageTracker _errors = new(time, SummaryInterval);

    // MSAL tags routine cache chatter LogAlways: only its critical, error and warning entries are worth a log line.
    public bool IsEnabled(EventLogLevel eventLogLevel) => eventLogLevel is >= EventLogLevel.Critical and <= EventLogLevel.Warning && logger.IsEnabled(LogLevel.Warning);

    public void Log(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var message = entry.Message ?? string.Empty;
        switch (entry.EventLogLevel)
        {
            case EventLogLevel.Critical or EventLogLevel.Error:
                LogErrorDetail(logger, message);
                _errors.Failed((Logger: logger, Message: FirstLine(message)),
                    static s => LogErrorsStarted(s.Logger, s.Message, SummaryInterval.TotalSeconds),
                    static (summary, s) => LogStillFailing(s.Logger, summary.Count, summary.Lasted.TotalSeconds, s.Message));
                break;
            case EventLogLevel.Warning:
                LogWarning(logger, message);
                break;
        }
    }

    /// <summary>A token was acquired: MSAL's errors, if any, have ended.</summary>
    public void Succeeded() => _errors.Succeeded(logger, static (ended, log) => LogRecovered(log, ended.Count, ended.Lasted.TotalSeconds));

    private static string FirstLine(string message) => message.AsSpan().Trim() is var text && text.IndexOfAny('\r', '\n') is var end and >= 0
        ? text[..end].ToString()
        : text.ToString();

    [LoggerMessage(Level = LogLevel.Debug, Message = "MSAL: {Message}")]
    private static partial void LogErrorDetail(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Error, Message = "MSAL: {Message}; a summary follows every {Seconds} s while tokens fail")]
    private static partial void LogErrorsStarted(ILogger logger, string message, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MSAL: still failing: {Count} more errors, {Seconds:F0} s since the first (last: {Message})")]
    private static partial void LogStillFailing(ILogger logger, long count, double seconds, string message);

    [LoggerMessage(Level = LogLevel.Information, Message = "MSAL: tokens acquired again after {Count} errors over {Seconds:F0} s")]
    private static partial void LogRecovered(ILogger logger, long count, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MSAL: {Message}")]
    private static partial void LogWarning(ILogger logger, string message);
}
