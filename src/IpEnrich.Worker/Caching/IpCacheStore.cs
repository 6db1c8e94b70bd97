using System.Globalization;
using System.Net;
using IpEnrich.Core.Collections;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Core.Telemetry;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IpEnrich.Worker.Caching;

/// <summary>
/// Two tiers: a count-limited in-process L1 in front of Redis. Keys <c>ipenrich:v1:{profile}:{lookBackHours}:{ip}</c>.
/// Redis keeps an entry for its jittered TTL plus <see cref="CacheOptions.MaxStale"/>; reads tell fresh from stale.
/// An unreachable Redis reads as a miss, so enrichment continues on L1; a write it refused is kept (bounded) and made
/// once it answers again, so a lookup answered during the outage is not asked again by another replica.
/// </summary>
public sealed class IpCacheStore
{
    private readonly CacheOptions _options;
    private readonly RedisConnection _redis;
    private readonly TimeProvider _time;
    private readonly L1Cache<L1Key>? _l1;
    private readonly string _prefix;
    private readonly RedisHealth _health;
    private readonly UnwrittenEntries _unwritten = new(MaxUnwritten);

    // Entries answered while Redis was away, written once it is back: more would be old by then anyway.
    private const int MaxUnwritten = 10_000;

    public IpCacheStore(IOptions<CacheOptions> options, CacheProfile profile, RedisConnection redis, RedisHealth health, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(profile);
        _options = options.Value;
        _redis = redis;
        _health = health;
        _time = time;
        Profile = profile.Name;
        _prefix = $"ipenrich:v1:{Profile}:";
        if (_options.L1Capacity > 0)
        {
            _l1 = new L1Cache<L1Key>(_options.L1Capacity);
        }
    }

    public string Profile { get; }

    /// <summary>False after a Redis operation failed, until one succeeds again.</summary>
    public bool RedisHealthy => _health.IsHealthy;

    /// <summary>The cache key of an address; built once per address and look-back, not once per lookup.</summary>
    public CacheKey Key(IPAddress ip, int lookBackHours) =>
        _keys.GetOrAdd((ip, lookBackHours), static (key, prefix) => new CacheKey(
            string.Create(CultureInfo.InvariantCulture, $"{prefix}{key.Hours}:{key.Ip}"), L1Key.Of(key.Ip, key.Hours)), _prefix);

    // Bounded like the intern table: a stream of unique IPs cannot grow it without limit.
    private readonly BoundedMemo<(IPAddress Ip, int Hours), CacheKey> _keys = new(65_536);

    /// <summary>The answer L1 holds for <paramref name="ip"/> at <paramref name="lookBackHours"/>, if fresh for L1 at <paramref name="now"/>.</summary>
    /// <remarks>Every alert's path: keyed by the address's value, with no key text to find or hash.</remarks>
    public bool TryGetL1(IpValue ip, int lookBackHours, DateTimeOffset now, out IpLookupResult answer)
    {
        if (_l1 is null)
        {
            answer = default;
            return false;
        }

        return _l1.TryGet(new L1Key(ip, lookBackHours), now, out answer);
    }

    /// <summary>Reads <paramref name="keys"/> from Redis in one pipelined batch (cluster-safe: no cross-slot MGET).</summary>
    /// <param name="waitAtMost">How long the caller waits (an alert's path); past it the keys read as missing, and a slow Redis is not counted as down.</param>
    public async Task<CachedStats?[]> GetManyAsync(IReadOnlyList<CacheKey> keys, TimeSpan? waitAtMost = null)
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
                reads[i] = batch.StringGetAsync(keys[i].Text);
            }

            batch.Execute();
            var all = Task.WhenAll(reads);
            if (waitAtMost is not { } limit)
            {
                await all;
            }
            else if (!await _health.CompletedWithinAsync(all, limit))
            {
                return results;
            }

            for (var i = 0; i < keys.Count; i++)
            {
                results[i] = CachedStats.Decode(reads[i].Result);
                if (results[i] is { } entry && entry.IsFreshAt(_time.GetUtcNow()))
                {
                    SetL1(keys[i], entry);
                }
            }

            Answered();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _health.Failed(RedisOperations.Cache, ex);
        }

        return results;
    }

    public async Task<CachedStats?> GetAsync(CacheKey key) => (await GetManyAsync([key]))[0];

    /// <summary>Stores a final answer fetched now; errors and deferrals are never cached.</summary>
    public async Task<CachedStats?> PutAsync(CacheKey key, IpLookupResult result)
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
            result.FetchedAt ?? now, now + Jittered(ttl), result.ViaHunting);
        SetL1(key, entry);
        if (_redis.Database is not null)
        {
            if (await WriteAsync(key.Text, entry))
            {
                Answered();
            }
            else
            {
                _unwritten.Add(key.Text, entry);
            }
        }

        return entry;
    }

    private async Task<bool> WriteAsync(string key, CachedStats entry)
    {
        try
        {
            var keepFor = (entry.FreshUntil - _time.GetUtcNow()) + _options.MaxStale;
            if (keepFor > TimeSpan.Zero)
            {
                await _redis.Database!.StringSetAsync(key, entry.Encode(), keepFor);
            }

            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _health.Failed("cache", ex);
            return false;
        }
    }

    /// <summary>Redis answered: the entries it refused while away are written now, by one caller at a time.</summary>
    private void Answered()
    {
        _health.Succeeded();
        if (_unwritten.TryStartFlush(out var entries))
        {
            _ = FlushAsync(entries);
        }
    }

    private async Task FlushAsync(List<KeyValuePair<string, CachedStats>> entries)
    {
        try
        {
            foreach (var (key, entry) in entries)
            {
                if (!await WriteAsync(key, entry))
                {
                    _unwritten.Add(key, entry); // away again: kept for the next return
                }
            }
        }
        finally
        {
            _unwritten.EndFlush();
        }
    }

    /// <summary>The TTL varied by ± <see cref="CacheOptions.TtlJitter"/>.</summary>
    public TimeSpan Jittered(TimeSpan ttl) =>
        ttl * (1 + (_options.TtlJitter * ((Random.Shared.NextDouble() * 2) - 1)));

    private void SetL1(CacheKey key, CachedStats entry)
    {
        if (_l1 is null)
        {
            return;
        }

        var now = _time.GetUtcNow();
        var l1Until = now + _options.L1Ttl;
        var until = entry.FreshUntil < l1Until ? entry.FreshUntil : l1Until;
        if (until > now)
        {
            _l1.Set(key.L1, entry, until);
        }
    }
}
