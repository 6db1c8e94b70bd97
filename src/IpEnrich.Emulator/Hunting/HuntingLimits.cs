using System.Collections.Concurrent;
using IpEnrich.Emulator.Options;
using IpEnrich.Emulator.Quota;
using IpEnrich.Emulator.Tokens;

namespace IpEnrich.Emulator.Hunting;

/// <summary>
/// Advanced hunting's two limits: calls per minute per application (exact sliding window, as the stats API's quota),
/// and the tenant's CPU allowance per 15-minute cycle aligned to :00/:15/:30/:45, charged in events examined.
/// </summary>
public sealed class HuntingLimits
{
    public static readonly TimeSpan Cycle = TimeSpan.FromMinutes(15);

    private readonly TimeProvider _time;
    private readonly HuntingOptions _options;
    private readonly ApiQuota _calls;
    private readonly ConcurrentDictionary<string, CpuAccount> _cpu = new(StringComparer.OrdinalIgnoreCase);

    public HuntingLimits(TimeProvider time, EmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _options = options.Hunting;
        // The stats API's limiter with only its minute window binding: hunting documents no hourly call limit.
        _calls = new ApiQuota(time, new QuotaOptions { PerMinute = _options.PerMinute, PerHour = int.MaxValue });
    }

    public bool TryAdmitCall(AccessToken token, out TimeSpan retryAfter)
    {
        ArgumentNullException.ThrowIfNull(token);
        return _calls.TryAdmit(token.TenantId + "/" + token.AppId, out retryAfter);
    }

    /// <summary>False once the tenant has spent this cycle's allowance; <paramref name="untilNextCycle"/> says for how long.</summary>
    public bool HasCpu(string tenant, out TimeSpan untilNextCycle)
    {
        var now = _time.GetUtcNow().UtcTicks;
        var cycle = now / Cycle.Ticks;
        untilNextCycle = TimeSpan.FromTicks(((cycle + 1) * Cycle.Ticks) - now);
        return _cpu.GetOrAdd(tenant, _ => new CpuAccount()).Used(cycle) < _options.CpuRowsPerCycle;
    }

    public void Charge(string tenant, long rowsExamined) =>
        _cpu.GetOrAdd(tenant, _ => new CpuAccount()).Add(_time.GetUtcNow().UtcTicks / Cycle.Ticks, rowsExamined);

    /// <summary>What one tenant spent in the current cycle; a new cycle starts from zero.</summary>
    private sealed class CpuAccount
    {
        private readonly Lock _gate = new();
        private long _cycle = -1;
        private long _used;

        public long Used(long cycle)
        {
            lock (_gate)
            {
                return cycle == _cycle ? _used : 0;
            }
        }

        public void Add(long cycle, long rows)
        {
            lock (_gate)
            {
                if (cycle != _cycle)
                {
                    (_cycle, _used) = (cycle, 0);
                }

                _used += rows;
            }
        }
    }
}
