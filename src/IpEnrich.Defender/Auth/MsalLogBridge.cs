using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Abstractions;

namespace IpEnrich.Defender.Auth;

/// <summary>MSAL's own warnings and errors into ILogger. PII logging stays off, so no token or secret reaches it.</summary>
internal sealed partial class MsalLogBridge(ILogger logger) : IIdentityLogger
{
    // MSAL tags routine cache chatter LogAlways: only its critical, error and warning entries are worth a log line.
    public bool IsEnabled(EventLogLevel eventLogLevel) => eventLogLevel is >= EventLogLevel.Critical and <= EventLogLevel.Warning && logger.IsEnabled(LogLevel.Warning);

    public void Log(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        switch (entry.EventLogLevel)
        {
            case EventLogLevel.Critical or EventLogLevel.Error:
                LogError(logger, entry.Message ?? string.Empty);
                break;
            case EventLogLevel.Warning:
                LogWarning(logger, entry.Message ?? string.Empty);
                break;
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "MSAL: {Message}")]
    private static partial void LogError(ILogger logger, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MSAL: {Message}")]
    private static partial void LogWarning(ILogger logger, string message);
}
