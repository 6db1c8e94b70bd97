using System.Globalization;
using System.Net;
using IpEnrich.Core.Collections;
using IpEnrich.Core.Enrichment;
using IpEnrich.Defender.Options;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IpEnrich.Worker.Caching;

/// <summary>
/// Two tiers: a count-limited in-process L1 in front of Redis. Keys <c>ipenrich:v1:{profile}:{lookBackHours}:{ip}</c>.
/// Redis keeps an entry for its jittered TTL plus <see cref="CacheOptions.MaxStale"/>; reads tell fresh from stale.
/// An unreachable Redis reads as a miss and writes are dropped, so enrichment continues on L1.
/// </summary>
public sealed partial class IpCacheStore : IDisposable
{
    private readonly CacheOptions _options;
    private readonly RedisConnection _redis;
    private readonly TimeProvider _time;
    private readonly ILogger<IpCacheStore> _logger;
    private readonly MemoryCache? _l1;
    private readonly string _prefix;
    private readonly TransitionFlag _redisHealthy = new(initial: true);

    public IpCacheStore(IOptions<CacheOptions> options, IOptions<DefenderOptions> defender, RedisConnection redis, TimeProvider time, ILogger<IpCacheStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(defender);
        _options = options.Value;
        _redis = redis;
        _time = time;
        _logger = logger;
        Profile = (_options.Profile ?? $"{defender.Value.Cloud}-{defender.Value.TenantId}").ToLowerInvariant();
        _prefix = $"ipenrich:v1:{Profile}:";
        if (_options.L1Capacity > 0)
        {
            _l1 = new MemoryCache(new MemoryCacheOptions { SizeLimit = _options.L1Capacity, Clock = new TimeProviderClock(time) });
        }
    }

    public string Profile { get; }

    /// <summary>False after a Redis operation failed, until one succeeds again.</summary>
    public bool RedisHealthy => _redisHealthy.Value;

    /// <summary>The cache key of an address; built once per address and look-back, not once per alert.</summary>
    public string Key(IPAddress ip, int lookBackHours) =>
        _keys.GetOrAdd((ip, lookBackHours), static (key, prefix) => string.Create(CultureInfo.InvariantCulture, $"{prefix}{key.Hours}:{key.Ip}"), _prefix);

    // Bounded like the intern table: a stream of unique IPs cannot grow it without limit.
    private readonly BoundedMemo<(IPAddress Ip, int Hours), string> _keys = new(65_536);

    public CachedStats? GetL1(string key) => _l1?.Get<CachedStats>(key);

    /// <summary>Reads <paramref name="keys"/> from Redis in one pipelined batch (cluster-safe: no cross-slot MGET).</summary>
    public async Task<CachedStats?[]> GetManyAsync(IReadOnlyList<string> keys)
    {
        var results = new CachedStats?[keys.Count];
        var database = _redis.Database;
        if (database is null || keys.Count == 0)
        {
            return results;
        }

        try
        {
            var batch = database.CreateBatch();
            var reads = new Task<RedisValue>[keys.Count];
            for (var i = 0; i < keys.Count; i++)
            {
                reads[i] = batch.StringGetAsync(keys[i]);
            }

            batch.Execute();
            await Task.WhenAll(reads);
            for (var i = 0; i < keys.Count; i++)
            {
                results[i] = CachedStats.Decode(reads[i].Result);
                if (results[i] is { } entry && entry.IsFreshAt(_time.GetUtcNow()))
                {
                    SetL1(keys[i], entry);
                }
            }

            MarkRedis(healthy: true);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            MarkRedis(healthy: false, ex);
        }

        return results;
    }

    public async Task<CachedStats?> GetAsync(string key) => (await GetManyAsync([key]))[0];

    /// <summary>Stores a final answer fetched now; errors and deferrals are never cached.</summary>
    public async Task<CachedStats?> PutAsync(string key, IpLookupResult result)
    {
        var ttl = result.Status switch
        {
            IpLookupStatus.Found => _options.FoundTtl,
            IpLookupStatus.NotSeen => _options.NotSeenTtl,
            IpLookupStatus.Invalid => _options.InvalidTtl,
            _ => TimeSpan.Zero,
        };
        if (ttl <= TimeSpan.Zero)
        {
            return null;
        }

        var now = _time.GetUtcNow();
        var entry = new CachedStats(result.Status, result.Stats?.OrganizationPrevalence ?? 0, result.Stats?.FirstSeen, result.Stats?.LastSeen,
            result.FetchedAt ?? now, now + Jittered(ttl));
        SetL1(key, entry);
        var database = _redis.Database;
        if (database is not null)
        {
            try
            {
                await database.StringSetAsync(key, entry.Encode(), (entry.FreshUntil - now) + _options.MaxStale);
                MarkRedis(healthy: true);
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                MarkRedis(healthy: false, ex);
            }
        }

        return entry;
    }

    /// <summary>The TTL varied by ± <see cref="CacheOptions.TtlJitter"/>.</summary>
    public TimeSpan Jittered(TimeSpan ttl) =>
        ttl * (1 + (_options.TtlJitter * ((Random.Shared.NextDouble() * 2) - 1)));

    public void Dispose() => _l1?.Dispose();

    private void SetL1(string key, CachedStats entry)
    {
        if (_l1 is null)
        {
            return;
        }

        var untilFresh = entry.FreshUntil - _time.GetUtcNow();
        var ttl = untilFresh < _options.L1Ttl ? untilFresh : _options.L1Ttl;
        if (ttl > TimeSpan.Zero)
        {
            _l1.Set(key, entry, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = ttl });
        }
    }

    private void MarkRedis(bool healthy, Exception? error = null) =>
        _redisHealthy.Set(healthy, (Logger: _logger, Error: error), static (healthy, state) =>
        {
            if (healthy)
            {
                LogRedisRecovered(state.Logger);
            }
            else
            {
                LogRedisUnavailable(state.Logger, state.Error!.GetType().Name);
            }
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis unavailable ({Error}): enriching from the in-process cache and the local limiter")]
    private static partial void LogRedisUnavailable(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis reachable again: shared cache and quota back in use")]
    private static partial void LogRedisRecovered(ILogger logger);

    private sealed class TimeProviderClock(TimeProvider time) : Microsoft.Extensions.Internal.ISystemClock
    {
        public DateTimeOffset UtcNow => time.GetUtcNow();
    }
}
