using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Abstractions;

namespace IpEnrich.Defender.Auth;

/// <summary>MSAL's own warnings and errors into ILogger. PII logging stays off, so no token or secret reaches it.</summary>
internal sealed partial class MsalLogBridge(ILogger logger) : IIdentityLogger
{
    public bool IsEnabled(EventLogLevel eventLogLevel) => eventLogLevel <= EventLogLevel.Warning && logger.IsEnabled(LogLevel.Warning);

    public void Log(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        switch (entry.EventLogLevel)
        {
            case EventLogLevel.LogAlways or EventLogLevel.Critical or EventLogLevel.Error:
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
