using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Abstractions;

namespace IpEnrich.Defender.Auth;

/// <summary>MSAL's own log, at warning and above, into ILogger. PII logging stays off, so no token or secret reaches it.</summary>
internal sealed partial class MsalLogBridge(ILogger logger) : IIdentityLogger
{
    public bool IsEnabled(EventLogLevel eventLogLevel) => eventLogLevel <= EventLogLevel.Warning && logger.IsEnabled(LogLevel.Warning);

    public void Log(LogEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        LogMsal(logger, entry.Message ?? string.Empty);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "MSAL: {Message}")]
    private static partial void LogMsal(ILogger logger, string message);
}
