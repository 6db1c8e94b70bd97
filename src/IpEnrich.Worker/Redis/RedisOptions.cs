using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Redis;

/// <summary>Section <c>Redis</c>. An empty connection string selects the in-memory single-instance mode.</summary>
public sealed class RedisOptions : IValidatableObject
{
    public const string SectionName = "Redis";

    /// <summary>A StackExchange.Redis configuration string: TLS (<c>ssl=true</c>), <c>user=</c>/<c>password=</c> (ACL),
    /// Sentinel (<c>serviceName=</c>) and Cluster endpoints are all supported as the library supports them.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// How long a call for the shared quota, backlog or cache may take before it counts as failed. A slow Redis
    /// (a fork for a snapshot, a failover) answers within it and is waited for rather than abandoned.
    /// </summary>
    [DurationRange("100ms", "1m")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an alert waits for a Redis read before it goes on as if the entry were missing (Redis keeps going).</summary>
    [DurationRange("10ms", "1m")]
    public TimeSpan AlertPathTimeout { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long Redis must keep failing before a replica spends its own share of the budget: during a short outage
    /// no call goes out rather than calls two replicas might both make.
    /// </summary>
    [DurationRange("0s", "10m")]
    public TimeSpan FallbackGrace { get; set; } = TimeSpan.FromSeconds(5);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!IsValidConnectionString(ConnectionString))
        {
            yield return new ValidationResult($"{SectionName}:ConnectionString is not a valid StackExchange.Redis configuration string (not shown: it may hold a password)");
        }

        if (AlertPathTimeout > Timeout)
        {
            yield return new ValidationResult($"{SectionName}:AlertPathTimeout must not be above {SectionName}:Timeout");
        }
    }

    /// <summary>Empty (single-instance mode) or a string StackExchange.Redis accepts.</summary>
    public static bool IsValidConnectionString(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return true;
        }

        try
        {
            _ = StackExchange.Redis.ConfigurationOptions.Parse(connectionString);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            return false;
        }
    }
}

/// <summary>Checks <see cref="RedisOptions"/> at start, generated from its attributes and rules.</summary>
[OptionsValidator]
internal sealed partial class RedisOptionsValidator : IValidateOptions<RedisOptions>;
