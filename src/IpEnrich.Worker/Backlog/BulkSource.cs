using IpEnrich.Defender;
using IpEnrich.Defender.Auth;
using IpEnrich.Defender.Hunting;
using IpEnrich.Defender.Options;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// Advanced hunting as the backlog's second source (<c>Bulk</c>): the client, its Graph token and its own budget,
/// shared by every replica in Redis like the IP statistics API's (key tag <c>{hunting:profile}</c>).
/// </summary>
public sealed class BulkSource
{
    private readonly Lazy<IQuotaGate> _quota;

    public BulkSource(IOptions<BulkOptions> options, IOptions<QuotaOptions> quota, IHuntingClient hunting, [FromKeyedServices(DefenderServiceCollectionExtensions.GraphTokens)] IAccessTokenSource tokens,
        RedisConnection redis, RedisHealth health, CacheProfile profile, TimeProvider time, ILogger<RedisQuotaGate> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(quota);
        Options = options.Value;
        Hunting = hunting;
        Tokens = tokens;
        // The service's own windows (a minute, an hour), whatever the IP statistics budget's are set to.
        var budget = Microsoft.Extensions.Options.Options.Create(new QuotaOptions
        {
            PerMinute = Options.PerMinute,
            PerHour = Options.PerHour,
            SafetyMargin = quota.Value.SafetyMargin,
            HighPriorityReserve = 0,
            ExpectedReplicas = quota.Value.ExpectedReplicas,
        });
        _quota = new Lazy<IQuotaGate>(() => redis.IsConfigured
            ? new RedisQuotaGate(redis, health, budget, profile, time, logger, name: "hunting")
            : new LocalQuotaGate(budget, time));
    }

    public BulkOptions Options { get; }

    public bool Enabled => Options.Enabled;

    public IHuntingClient Hunting { get; }

    public IAccessTokenSource Tokens { get; }

    public IQuotaGate Quota => _quota.Value;
}
