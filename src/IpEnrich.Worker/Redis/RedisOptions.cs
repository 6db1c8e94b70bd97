namespace IpEnrich.Worker.Redis;

/// <summary>Section <c>Redis</c>. An empty connection string selects the in-memory single-instance mode.</summary>
public sealed class RedisOptions
{
    public const string SectionName = "Redis";

    /// <summary>A StackExchange.Redis configuration string: TLS (<c>ssl=true</c>), <c>user=</c>/<c>password=</c> (ACL),
    /// Sentinel (<c>serviceName=</c>) and Cluster endpoints are all supported as the library supports them.</summary>
    public string? ConnectionString { get; set; }

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
