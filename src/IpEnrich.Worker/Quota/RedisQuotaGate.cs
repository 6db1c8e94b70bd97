using System.Globalization;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace IpEnrich.Worker.Quota;

/// <summary>
/// The budget shared by every replica: one Lua script reads the server's <c>TIME</c>, honours the shared pause, trims
/// two sliding logs (sorted sets) and takes a slot in both atomically — "at most N in any window", never a burst.
/// Keys share the hash tag <c>{quota:profile}</c>, so they live on one Cluster slot. When Redis fails, nothing is
/// granted for <see cref="RedisOptions.FallbackGrace"/>; past it, the local limiter takes over with 1/ExpectedReplicas
/// of what the shared windows last had left, and Redis is probed once a second. Back on Redis, the slots granted
/// locally are added to the shared windows first, so no replica spends them a second time.
/// </summary>
public sealed partial class RedisQuotaGate : IQuotaGate
{
    private static readonly TimeSpan ProbeInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan NotConnectedYet = TimeSpan.FromMilliseconds(250);

    private readonly RedisConnection _redis;
    private readonly RedisHealth _health;
    private readonly TimeProvider _time;
    private readonly QuotaOptions _options;
    private readonly LocalQuotaGate _fallback;
    private readonly ILogger<RedisQuotaGate> _logger;
    private readonly RedisKey[] _keys;
    private readonly TransitionFlag _usingFallback = new(initial: false);
    // Read by the gauge while script results replace it: one immutable pair swapped whole, so a read never mixes two.
    private Remainder _remaining;
    private long _nextProbe;
    private int _probing;

    /// <param name="name">Names the budget in its keys: <c>quota</c> for the IP statistics API, <c>hunting</c> for advanced hunting.</param>
    public RedisQuotaGate(RedisConnection redis, RedisHealth health, IOptions<QuotaOptions> options, CacheProfile profile, TimeProvider time, ILogger<RedisQuotaGate> logger,
        string name = "quota")
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(profile);
        _redis = redis;
        _health = health;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _fallback = new LocalQuotaGate(options, time, shareOfReplicas: true);
        var tag = $"{{{name}:{profile.Name}}}";
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
            // Still connecting: wait a moment. No connection could be set up at all: the replica is on its own.
            return _redis.FirstAttemptEnded ? await LocallyAsync(priority, cancellationToken) : QuotaDecision.Deny(NotConnectedYet);
        }

        if (_usingFallback.Value && !await TryReturnAsync(database))
        {
            return await LocallyAsync(priority, cancellationToken);
        }

        try
        {
            var slot = Guid.NewGuid().ToString("N");
            var result = (RedisResult[])(await database.ScriptEvaluateAsync(RedisQuotaScripts.Acquire, _keys,
            [
                (long)_options.MinuteWindow.TotalMilliseconds, (long)_options.HourWindow.TotalMilliseconds,
                _options.EffectivePerMinute, _options.EffectivePerHour, _options.ReserveFor(priority), slot,
            ]))!;
            _health.Succeeded();
            Volatile.Write(ref _remaining, new Remainder((int)result[2], (int)result[3]));
            return (int)result[0] == 1 ? QuotaDecision.Granted(slot) : QuotaDecision.Deny(TimeSpan.FromMilliseconds((long)result[1]));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _health.Failed(RedisOperations.Quota, ex);
            return await LocallyAsync(priority, cancellationToken);
        }
    }

    /// <summary>Redis is failing: nothing during the grace, then this replica's share through the local limiter.</summary>
    private async Task<QuotaDecision> LocallyAsync(AlertPriority priority, CancellationToken cancellationToken)
    {
        if (!_health.PastGrace && _redis.Database is not null)
        {
            var left = _health.GraceLeft;
            return QuotaDecision.Deny(left > ProbeInterval ? ProbeInterval : left > TimeSpan.Zero ? left : NotConnectedYet);
        }

        UseFallback(true);
        return await _fallback.TryAcquireAsync(priority, cancellationToken);
    }

    /// <summary>
    /// On the fallback, one caller a second tries Redis: it adds the slots granted locally to the shared windows, and
    /// only then are they used again. False (stay local) for every other caller and when Redis still fails.
    /// </summary>
    private async Task<bool> TryReturnAsync(IDatabase database)
    {
        var now = _time.GetTimestamp();
        if (now < Interlocked.Read(ref _nextProbe) || Interlocked.CompareExchange(ref _probing, 1, 0) != 0)
        {
            return false;
        }

        try
        {
            Interlocked.Exchange(ref _nextProbe, now + (long)(ProbeInterval.TotalSeconds * _time.TimestampFrequency));
            var ages = _fallback.GrantedAges();
            RedisValue[] args = [(long)_options.MinuteWindow.TotalMilliseconds, (long)_options.HourWindow.TotalMilliseconds, "adopted:" + Guid.NewGuid().ToString("N"),
                .. ages.Select(age => (RedisValue)(long)Math.Ceiling(age.TotalMilliseconds))];
            await database.ScriptEvaluateAsync(RedisQuotaScripts.Adopt, [_keys[0], _keys[1]], args);
            _health.Succeeded();
            UseFallback(false);
            LogReturned(_logger, ages.Count);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _health.Failed(RedisOperations.Quota, ex);
            return false;
        }
        finally
        {
            Volatile.Write(ref _probing, 0);
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
                await database.ScriptEvaluateAsync(RedisQuotaScripts.Restamp, [_keys[0], _keys[1]],
                    [(long)_options.MinuteWindow.TotalMilliseconds, (long)_options.HourWindow.TotalMilliseconds, slot]);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _health.Failed(RedisOperations.Quota, ex); // the slot keeps its grant time: the safety margin covers the difference
        }
    }

    public async Task ReleaseAsync(QuotaDecision decision, CancellationToken cancellationToken)
    {
        if (decision.Slot is not { } slot || slot.StartsWith(LocalQuotaGate.SlotPrefix, StringComparison.Ordinal))
        {
            await _fallback.ReleaseAsync(decision, cancellationToken);
            return;
        }

        try
        {
            if (_redis.Database is { } database)
            {
                // One slot in both windows, on the same hash slot: a transaction of two ZREMs is atomic without a script.
                var batch = database.CreateTransaction();
                var fromMinute = batch.SortedSetRemoveAsync(_keys[0], slot);
                var fromHour = batch.SortedSetRemoveAsync(_keys[1], slot);
                await batch.ExecuteAsync();
                await Task.WhenAll(fromMinute, fromHour);
            }
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _health.Failed(RedisOperations.Quota, ex); // the slot stays counted: conservative
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
            await database.ScriptEvaluateAsync(RedisQuotaScripts.Pause, [_keys[2]], [(long)Math.Ceiling(retryAfter.TotalMilliseconds)]);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            _health.Failed(RedisOperations.Quota, ex);
        }
    }

    private void UseFallback(bool fallback) =>
        _usingFallback.Set(fallback, this, static (fallback, gate) =>
        {
            if (fallback)
            {
                // What every replica spent, as the shared windows last said, still counts against this one's share.
                var left = Volatile.Read(ref gate._remaining);
                gate._fallback.StartOver(gate._options.EffectivePerMinute - left.Minute, gate._options.EffectivePerHour - left.Hour);
                LogFallback(gate._logger, gate._options.ExpectedReplicas, left.Minute, left.Hour);
            }
        });

    [LoggerMessage(Level = LogLevel.Information, Message = "Shared quota unreachable in Redis past the grace: local limiter with 1/{Replicas} of the {Minute} calls this minute and {Hour} this hour the shared windows last had left")]
    private static partial void LogFallback(ILogger logger, int replicas, int minute, int hour);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shared quota back in Redis: {Count} calls granted locally meanwhile added to its windows")]
    private static partial void LogReturned(ILogger logger, int count);

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"RedisQuotaGate({_keys[0]})");

    private sealed record Remainder(int Minute, int Hour);
}
