using System.Globalization;

namespace IpEnrich.Emulator.Tokens;

/// <summary>An Entra ID (AADSTS) error answer of the token endpoint.</summary>
public sealed record EntraError(int StatusCode, string Error, int Code, string Description)
{
    public static EntraError InvalidClient(int code, string description) => new(401, "invalid_client", code, description);

    public static EntraError InvalidRequest(int code, string description) => new(400, "invalid_request", code, description);

    public static EntraError UnauthorizedClient(int code, string description) => new(400, "unauthorized_client", code, description);

    public static EntraError InvalidScope(int code, string description) => new(400, "invalid_scope", code, description);

    public static EntraError InvalidResource(int code, string description) => new(400, "invalid_resource", code, description);

    public static EntraError UnsupportedGrantType(string grantType) =>
        new(400, "unsupported_grant_type", 70003, $"The app requested an unsupported grant type '{grantType}'.");

    public object ToBody(DateTimeOffset now)
    {
        var traceId = Guid.NewGuid().ToString();
        var correlationId = Guid.NewGuid().ToString();
        var timestamp = now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        return new Dictionary<string, object>
        {
            ["error"] = Error,
            ["error_description"] = $"AADSTS{Code}: {Description} Trace ID: {traceId} Correlation ID: {correlationId} Timestamp: {timestamp}",
            ["error_codes"] = new[] { Code },
            ["timestamp"] = timestamp,
            ["trace_id"] = traceId,
            ["correlation_id"] = correlationId,
            ["error_uri"] = $"https://login.microsoftonline.com/error?code={Code}",
        };
    }
}
