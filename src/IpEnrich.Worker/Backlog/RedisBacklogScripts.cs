namespace IpEnrich.Worker.Backlog;

/// <summary>
/// The shared backlog's Lua: KEYS are the queue (value-sorted), the age index and the leases; ARGV[1] is the key
/// prefix, from which each entry's hash (<c>e:member</c>: p, n, t, x) and waiter list (<c>r:member</c>) are named. Every
/// key carries the profile's hash tag, so a script touches one Cluster slot. Time is the server's <c>TIME</c>.
/// </summary>
internal static class RedisBacklogScripts
{
    private const string Prelude = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local prefix = ARGV[1]
        -- Lua prints numbers with 14 digits; a value needs all 16 of its integer digits.
        local function num(x) return string.format('%.0f', x) end
        local function value(p, n, first)
          local age = math.floor((tonumber(first) - 1704067200000) / 1000)
          age = math.max(0, math.min(age, 2147483647))
          return num(tonumber(p) * 2251799813685248 + math.min(tonumber(n), 1048575) * 2147483648 + (2147483647 - age))
        end
        local function enqueue(m)
          local f = redis.call('HMGET', prefix .. 'e:' .. m, 'p', 'n', 't')
          if f[1] then
            redis.call('ZADD', KEYS[1], value(f[1], f[2], f[3]), m)
            return true
          end
          return false
        end
        local function remove(m)
          redis.call('ZREM', KEYS[1], m)
          redis.call('ZREM', KEYS[2], m)
          redis.call('ZREM', KEYS[3], m)
          redis.call('DEL', prefix .. 'e:' .. m, prefix .. 'r:' .. m)
        end

        """;

    /// <summary>ARGV: prefix, priority, count (1/0), maxIps, maxAgeMs, maxRefs, waiter ('' for none), members…; returns the number dropped.</summary>
    public const string Want = Prelude + """
        local p, count = tonumber(ARGV[2]), tonumber(ARGV[3])
        local maxIps, maxAge, maxRefs, ref = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6]), ARGV[7]
        local dropped = 0
        for i = 8, #ARGV do
          local m = ARGV[i]
          local e = prefix .. 'e:' .. m
          if redis.call('EXISTS', e) == 0 then
            for _, old in ipairs(redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', '(' .. num(now - maxAge), 'LIMIT', 0, 100)) do
              remove(old)
              dropped = dropped + 1
            end
            while redis.call('ZCARD', KEYS[2]) >= maxIps do
              local low = redis.call('ZRANGE', KEYS[1], 0, 0)
              if #low == 0 then break end
              remove(low[1])
              dropped = dropped + 1
            end
            redis.call('HSET', e, 'p', p, 'n', 1, 't', num(now), 'x', 0)
            redis.call('ZADD', KEYS[2], num(now), m)
          else
            if count == 1 then redis.call('HINCRBY', e, 'n', 1) end
            if p > tonumber(redis.call('HGET', e, 'p')) then redis.call('HSET', e, 'p', p) end
          end
          if ref ~= '' then
            local r = prefix .. 'r:' .. m
            if redis.call('LLEN', r) < maxRefs then redis.call('RPUSH', r, ref) else redis.call('HINCRBY', e, 'x', 1) end
          end
          if not redis.call('ZSCORE', KEYS[3], m) then enqueue(m) end
        end
        return dropped
        """;

    /// <summary>ARGV: prefix, leaseMs. Expired leases return first; then {member, p, n, t, waiters} of the most valuable, or nil.</summary>
    public const string Claim = Prelude + """
        for _, m in ipairs(redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', num(now), 'LIMIT', 0, 100)) do
          redis.call('ZREM', KEYS[3], m)
          enqueue(m)
        end
        while true do
          local top = redis.call('ZPOPMAX', KEYS[1])
          if #top == 0 then return false end
          local m = top[1]
          local f = redis.call('HMGET', prefix .. 'e:' .. m, 'p', 'n', 't')
          if f[1] then
            redis.call('ZADD', KEYS[3], num(now + tonumber(ARGV[2])), m)
            return {m, f[1], f[2], f[3], redis.call('LLEN', prefix .. 'r:' .. m)}
          end
        end
        """;

    /// <summary>ARGV: prefix, leaseMs, members…. Extends the leases of those still held (XX: one returned or completed stays so).</summary>
    public const string Renew = Prelude + """
        for i = 3, #ARGV do
          redis.call('ZADD', KEYS[3], 'XX', num(now + tonumber(ARGV[2])), ARGV[i])
        end
        return 1
        """;

    /// <summary>ARGV: prefix, member. Releases the lease and queues the lookup again at its value.</summary>
    public const string Return = Prelude + """
        redis.call('ZREM', KEYS[3], ARGV[2])
        enqueue(ARGV[2])
        return 1
        """;

    /// <summary>ARGV: prefix, member. {waiters…} and the count of those not kept.</summary>
    public const string Waiters = Prelude + """
        return {redis.call('LRANGE', prefix .. 'r:' .. ARGV[2], 0, -1), redis.call('HGET', prefix .. 'e:' .. ARGV[2], 'x') or '0'}
        """;

    /// <summary>ARGV: prefix, member, handled. 1 when the lookup is gone; 0 when waiters came meanwhile and it is queued again.</summary>
    public const string Complete = Prelude + """
        local m, handled = ARGV[2], tonumber(ARGV[3])
        local r = prefix .. 'r:' .. m
        redis.call('ZREM', KEYS[3], m)
        if handled > 0 then redis.call('LTRIM', r, handled, -1) end
        if redis.call('LLEN', r) > 0 then
          redis.call('HSET', prefix .. 'e:' .. m, 'x', 0)
          enqueue(m)
          return 0
        end
        remove(m)
        return 1
        """;

    /// <summary>ARGV: prefix. {count per priority 0..3 (taken ones included), oldest first-wanted ms or -1}.</summary>
    public const string Snapshot = Prelude + """
        local counts = {}
        for p = 0, 3 do
          counts[p + 1] = redis.call('ZCOUNT', KEYS[1], num(p * 2251799813685248), '(' .. num((p + 1) * 2251799813685248))
        end
        for _, m in ipairs(redis.call('ZRANGE', KEYS[3], 0, -1)) do
          local p = redis.call('HGET', prefix .. 'e:' .. m, 'p')
          if p then counts[tonumber(p) + 1] = counts[tonumber(p) + 1] + 1 end
        end
        local oldest = redis.call('ZRANGE', KEYS[2], 0, 0, 'WITHSCORES')
        counts[5] = oldest[2] or '-1'
        return counts
        """;
}
