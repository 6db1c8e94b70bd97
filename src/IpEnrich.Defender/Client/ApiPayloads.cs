using System.Text.Json.Serialization;

namespace IpEnrich.Defender.Client;

/// <summary>
/// A 200 body in any known shape: <c>orgPrevalence</c> as a string (older docs and the live service),
/// <c>organizationPrevalence</c> as a number (newer docs and the live service), dates possibly null; other fields ignored.
/// </summary>
internal sealed class IpStatsPayload
{
    [JsonPropertyName("ipAddress")]
    public string? IpAddress { get; set; }

    [JsonPropertyName("orgPrevalence")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? OrgPrevalence { get; set; }

    [JsonPropertyName("organizationPrevalence")]
    [JsonNumberHandling(JsonNumberHandling.AllowReadingFromString)]
    public long? OrganizationPrevalence { get; set; }

    [JsonPropertyName("orgFirstSeen")]
    public DateTimeOffset? OrgFirstSeen { get; set; }

    [JsonPropertyName("orgLastSeen")]
    public DateTimeOffset? OrgLastSeen { get; set; }
}

internal sealed class ErrorPayload
{
    [JsonPropertyName("error")]
    public ErrorDetail? Error { get; set; }
}

internal sealed class ErrorDetail
{
    [JsonPropertyName("code")]
    public string? Code { get; set; }

    [JsonPropertyName("message")]
    public string? Message { get; set; }
}

[JsonSerializable(typeof(IpStatsPayload))]
[JsonSerializable(typeof(ErrorPayload))]
[JsonSerializable(typeof(IpEnrich.Defender.Hunting.HuntingRequest))]
internal sealed partial class DefenderJsonContext : JsonSerializerContext;
