namespace IpEnrich.Worker.Quota;

/// <summary>
/// The shared budget's Lua. KEYS are the minute and hour logs (sorted sets of slot ids scored by time) and the pause
/// key; time is the server's <c>TIME</c> in milliseconds, so every replica counts on one clock.
/// </summary>
internal static class RedisQuotaScripts
{
    // Ends in a line break, so each script's own text starts on a line of its own.
    private const string Prelude = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)

        """;

    /// <summary>Honours the pause, trims both logs and takes a slot in both, leaving ARGV[5] hour slots as the reserve.</summary>
    public const string Acquire = Prelude + """
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

    /// <summary>Counts slot ARGV[3] from now in both logs (the call it granted has been answered).</summary>
    public const string Restamp = Prelude + """
        redis.call('ZADD', KEYS[1], now, ARGV[3])
        redis.call('ZADD', KEYS[2], now, ARGV[3])
        redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[1]))
        redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[2]))
        return 1
        """;

    /// <summary>Adds slots granted elsewhere ARGV[4..] milliseconds ago (members named after ARGV[3]) to the logs whose window still holds them.</summary>
    public const string Adopt = Prelude + """
        local minuteMs, hourMs = tonumber(ARGV[1]), tonumber(ARGV[2])
        for i = 4, #ARGV do
          local age = tonumber(ARGV[i])
          local member = ARGV[3] .. ':' .. i
          if age < hourMs then redis.call('ZADD', KEYS[2], now - age, member) end
          if age < minuteMs then redis.call('ZADD', KEYS[1], now - age, member) end
        end
        redis.call('PEXPIRE', KEYS[1], minuteMs)
        redis.call('PEXPIRE', KEYS[2], hourMs)
        return 1
        """;

    /// <summary>Pauses every replica for ARGV[1] ms, unless a longer pause already stands.</summary>
    public const string Pause = Prelude + """
        local untilMs = now + tonumber(ARGV[1])
        local current = tonumber(redis.call('GET', KEYS[1]) or '0')
        if untilMs > current then
          redis.call('SET', KEYS[1], untilMs, 'PX', tonumber(ARGV[1]))
        end
        return untilMs
        """;
}
