using System.Text.Json.Serialization;

namespace IpEnrich.Emulator.Api;

/// <summary>A 200 answer of the stats API, in the current shape: both prevalence fields, nullable dates.</summary>
public sealed record IpStatsResponse(
    [property: JsonPropertyName("@odata.context")] string ODataContext,
    [property: JsonPropertyName("ipAddress")] string IpAddress,
    [property: JsonPropertyName("orgPrevalence")] string OrgPrevalence,
    [property: JsonPropertyName("organizationPrevalence")] long OrganizationPrevalence,
    [property: JsonPropertyName("orgFirstSeen")] string? OrgFirstSeen,
    [property: JsonPropertyName("orgLastSeen")] string? OrgLastSeen);

/// <summary>The error body of every 4xx/5xx: <c>{"error":{"code","message","target"}}</c> with a unique target.</summary>
public sealed record ApiErrorResponse([property: JsonPropertyName("error")] ApiError Error);

public sealed record ApiError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("target")] string Target);

public sealed record TokenResponse(
    [property: JsonPropertyName("token_type")] string TokenType,
    [property: JsonPropertyName("expires_in")] int ExpiresIn,
    [property: JsonPropertyName("ext_expires_in")] int ExtExpiresIn,
    [property: JsonPropertyName("access_token")] string AccessToken);
