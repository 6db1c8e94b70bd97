using System.Globalization;
using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IpEnrich.Worker.Quota;

/// <summary>
/// The budget shared by every replica: one Lua script reads the server's <c>TIME</c>, honours the shared pause, trims
/// two sliding logs (sorted sets) and takes a slot in both atomically — "at most N in any window", never a burst.
/// Keys share the hash tag <c>{quota:profile}</c>, so they live on one Cluster slot. When Redis cannot be reached, the
/// local limiter with 1/ExpectedReplicas of the budget takes over until it can.
/// </summary>
public sealed partial class RedisQuotaGate : IQuotaGate
{
    private const string AcquireScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local minuteMs, hourMs = tonumber(ARGV[1]), tonumber(ARGV[2])
        local perMinute, perHour, reserve = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local paused = tonumber(redis.call('GET', KEYS[3]) or '0')
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - minuteMs)
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - hourMs)
        local m = redis.call('ZCARD', KEYS[1])
        local h = redis.call('ZCARD', KEYS[2])
        if paused > now then
          return {0, paused - now, perMinute - m, perHour - h}
        end
        local wait = 0
        if m >= perMinute then
          local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
          wait = math.max(wait, tonumber(oldest[2]) + minuteMs - now)
        end
        local hourCap = perHour - reserve
        if h >= hourCap then
          local at = h - hourCap
          local oldest = redis.call('ZRANGE', KEYS[2], at, at, 'WITHSCORES')
          local freeAt = oldest[2] and tonumber(oldest[2]) or now
          wait = math.max(wait, freeAt + hourMs - now, 1)
        end
        if wait > 0 then
          return {0, wait, perMinute - m, perHour - h}
        end
        local member = ARGV[6]
        redis.call('ZADD', KEYS[1], now, member)
        redis.call('ZADD', KEYS[2], now, member)
        redis.call('PEXPIRE', KEYS[1], minuteMs)
        redis.call('PEXPIRE', KEYS[2], hourMs)
        return {1, 0, perMinute - m - 1, perHour - h - 1}
        """;

    private const string RestampScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        redis.call('ZADD', KEYS[1], now, ARGV[3])
        redis.call('ZADD', KEYS[2], now, ARGV[3])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
        redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]))
        return 1
        """;

    private const string PauseScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local untilMs = now + tonumber(ARGV[1])
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        if untilMs > current then
          redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]))
        end
        return untilMs
        """;

    private readonly RedisConnection _redis;
    private readonly QuotaOptions _options;
    private readonly LocalQuotaGate _fallback;
    private readonly ILogger<RedisQuotaGate> _logger;
    private readonly RedisKey[] _keys;
    private readonly TransitionFlag _usingFallback = new(initial: false);
    // Read by the gauge while script results replace it: one immutable pair swapped whole, so a read never mixes two.
    private Remainder _remaining;

    public RedisQuotaGate(RedisConnection redis, IOptions<QuotaOptions> options, IpCacheStore cache, TimeProvider time, ILogger<RedisQuotaGate> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cache);
        _redis = redis;
        _options = options.Value;
        _logger = logger;
        _fallback = new LocalQuotaGate(options, time, shareOfReplicas: true);
        var tag = $"{{quota:{cache.Profile}}}";
        _keys = [$"ipenrich:v1:{tag}:minute", $"ipenrich:v1:{tag}:hour", $"ipenrich:v1:{tag}:paused"];
        _remaining = new Remainder(_options.EffectivePerMinute, _options.EffectivePerHour);
    }

    public (int Minute, int Hour) Remaining
    {
        get
        {
            if (_usingFallback.Value)
            {
                return _fallback.Remaining;
            }

            var remaining = Volatile.Read(ref _remaining);
            return (remaining.Minute, remaining.Hour);
        }
    }

    public async Task<QuotaDecision> TryAcquireAsync(AlertPriority priority, CancellationToken cancellationToken)
    {
        var database = _redis.Database;
        if (database is null)
        {
            UseFallback(true); // no connection yet: as if Redis were down
            return await _fallback.TryAcquireAsync(priority, cancellationToken);
        }

        try
        {
            var slot = Guid.NewGuid().ToString("N");
            var result = (RedisResult[])(await database.ScriptEvaluateAsync(AcquireScript, _keys,
            [
                (long)_options.MinuteWindow.TotalMilliseconds, (long)_options.HourWindow.TotalMilliseconds,
                _options.EffectivePerMinute, _options.EffectivePerHour, _options.ReserveFor(priority), slot,
            ]))!;
            UseFallback(false);
            Volatile.Write(ref _remaining, new Remainder((int)result[2], (int)result[3]));
            return (int)result[0] == 1 ? QuotaDecision.Granted(slot) : QuotaDecision.Deny(TimeSpan.FromMilliseconds((long)result[1]));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            UseFallback(true);
            return await _fallback.TryAcquireAsync(priority, cancellationToken);
        }
    }

    public async Task RestampAsync(QuotaDecision decision, CancellationToken cancellationToken)
    {
        if (decision.Slot is not { } slot || slot.StartsWith(LocalQuotaGate.SlotPrefix, StringComparison.Ordinal))
        {
            await _fallback.RestampAsync(decision, cancellationToken);
            return;
        }

        try
        {
            if (_redis.Database is { } database)
            {
                await database.ScriptEvaluateAsync(RestampScript, [_keys[0], _keys[1]],
                    [(long)_options.MinuteWindow.TotalMilliseconds, (long)_options.HourWindow.TotalMilliseconds, slot]);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            UseFallback(true); // the slot keeps its grant time: the safety margin covers the difference
        }
    }

    public async Task PauseAsync(TimeSpan retryAfter, CancellationToken cancellationToken)
    {
        await _fallback.PauseAsync(retryAfter, cancellationToken);
        var database = _redis.Database;
        if (database is null)
        {
            return;
        }

        try
        {
            await database.ScriptEvaluateAsync(PauseScript, [_keys[2]], [(long)Math.Ceiling(retryAfter.TotalMilliseconds)]);
            LogPaused(_logger, retryAfter.TotalSeconds);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            UseFallback(true);
        }
    }

    private void UseFallback(bool fallback) =>
        _usingFallback.Set(fallback, (Logger: _logger, _options.ExpectedReplicas), static (fallback, state) =>
        {
            if (fallback)
            {
                LogFallback(state.Logger, state.ExpectedReplicas);
            }
        });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Defender API answered 429: every replica pauses for {Seconds} s")]
    private static partial void LogPaused(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shared quota unreachable in Redis: local limiter with 1/{Replicas} of the budget")]
    private static partial void LogFallback(ILogger logger, int replicas);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RedisQuotaGate({_keys[0]})");

    private sealed record Remainder(int Minute, int Hour);
}
