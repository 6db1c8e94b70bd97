using IpEnrich.Emulator.Options;

namespace IpEnrich.Emulator.Faults;

/// <summary>The current injected faults (<c>Emulator:Faults</c>, changed at run time by <c>POST /emulator/faults</c>).</summary>
public sealed class FaultInjector
{
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private FaultOptions _faults = new();
    private DateTimeOffset _force429Until;
    private int _failNext;

    public FaultInjector(TimeProvider time, EmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _random = new Random(options.Seed);
        Set(options.Faults);
    }

    public FaultOptions Current
    {
        get
        {
            lock (_gate)
            {
                var remaining = _force429Until - _time.GetUtcNow();
                return new FaultOptions
                {
                    LatencyMs = _faults.LatencyMs,
                    ErrorRate = _faults.ErrorRate,
                    FailNextCount = _failNext,
                    FailNextStatus = _faults.FailNextStatus,
                    Force429Seconds = remaining > TimeSpan.Zero ? (int)Math.Ceiling(remaining.TotalSeconds) : 0,
                    RejectTokens = _faults.RejectTokens,
                };
            }
        }
    }

    public void Set(FaultOptions faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        lock (_gate)
        {
            _faults = faults;
            _failNext = faults.FailNextCount;
            _force429Until = faults.Force429Seconds > 0 ? _time.GetUtcNow().AddSeconds(faults.Force429Seconds) : DateTimeOffset.MinValue;
        }
    }

    public TimeSpan Latency => TimeSpan.FromMilliseconds(_faults.LatencyMs);

    /// <summary>True while the stats API treats every token as invalid (<see cref="FaultOptions.RejectTokens"/>).</summary>
    public bool RejectsTokens => _faults.RejectTokens;

    /// <summary>True while a forced 429 window is open, with the seconds left as Retry-After.</summary>
    public bool IsForcedThrottle(out TimeSpan retryAfter)
    {
        var remaining = _force429Until - _time.GetUtcNow();
        retryAfter = TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling(remaining.TotalSeconds)));
        return remaining > TimeSpan.Zero;
    }

    /// <summary>The status code of an injected server error for this request, or null.</summary>
    public int? NextServerError()
    {
        lock (_gate)
        {
            if (_failNext > 0)
            {
                _failNext--;
                return _faults.FailNextStatus;
            }

            if (_faults.ErrorRate > 0 && _random.NextDouble() < _faults.ErrorRate)
            {
                return _random.Next(2) == 0 ? 500 : 503;
            }

            return null;
        }
    }
}
