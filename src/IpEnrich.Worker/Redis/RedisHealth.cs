using IpEnrich.Core.Telemetry;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Redis;

/// <summary>
/// Whether Redis answers, as every user of it (cache, quota, backlog) sees it: one warning when calls start failing,
/// a summary every 30 s while they do, one line when one succeeds again; each failure counted in
/// <c>ipenrich.redis.errors</c>. Past <see cref="RedisOptions.FallbackGrace"/> of failing, a replica works on its own.
/// </summary>
public sealed partial class RedisHealth(IOptions<RedisOptions> options, IpEnrichTelemetry telemetry, TimeProvider time, ILogger<RedisHealth> logger)
{
    public static readonly TimeSpan SummaryInterval = TimeSpan.FromSeconds(30);

    private readonly OutageTracker _outage = new(time, SummaryInterval);
    private readonly TimeSpan _grace = options.Value.FallbackGrace;

    /// <summary>False from a failed call until one succeeds.</summary>
    public bool IsHealthy => !_outage.IsFailing;

    /// <summary>True once Redis has failed for the whole grace: replicas then spend their own share of the budget.</summary>
    public bool PastGrace => _outage.IsFailing && _outage.FailingFor >= _grace;

    /// <summary>How much of the grace is left (zero when healthy or past it).</summary>
    public TimeSpan GraceLeft => _outage.IsFailing && _grace - _outage.FailingFor is var left && left > TimeSpan.Zero ? left : TimeSpan.Zero;

    public void Succeeded()
    {
        _outage.Succeeded(logger, static (ended, log) => LogRecovered(log, ended.Count, ended.Lasted.TotalSeconds));
    }

    /// <summary>
    /// Waits for <paramref name="call"/> at most <paramref name="limit"/> (an alert's path). False when the caller stopped
    /// waiting: counted as <c>alert_wait</c>, not as a failure, since a slow Redis is not a down one; the call goes on
    /// and a later failure of it is observed, not this caller's. The call's own failure is rethrown.
    /// </summary>
    public async Task<bool> CompletedWithinAsync(Task call, TimeSpan limit)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            await call.WaitAsync(limit, time);
            return true;
        }
        catch (TimeoutException stopped) when (stopped.GetType() == typeof(TimeoutException)) // the wait's own, not Redis's
        {
            telemetry.RedisErrors.Add(1, new KeyValuePair<string, object?>(TagNames.Operation, RedisOperations.AlertWait));
            _ = call.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
            return false;
        }
    }

    /// <param name="operation">What failed (<c>cache</c>, <c>quota</c>, <c>backlog</c>), the metric's tag.</param>
    public void Failed(string operation, Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        telemetry.RedisErrors.Add(1, new KeyValuePair<string, object?>(TagNames.Operation, operation));
        LogFailure(logger, operation, error);
        _outage.Failed((Logger: logger, Error: error.GetType().Name, Operation: operation, Grace: _grace),
            static s => LogStarted(s.Logger, s.Error, s.Operation, s.Grace.TotalSeconds, SummaryInterval.TotalSeconds),
            static (summary, s) => LogStillFailing(s.Logger, summary.Count, summary.Lasted.TotalSeconds, s.Error));
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Redis {Operation} call failed")]
    private static partial void LogFailure(ILogger logger, string operation, Exception error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis calls failing ({Error} in {Operation}): reading from the in-process cache; after {Grace} s this replica spends its own share of the budget; a summary follows every {Seconds} s while it lasts")]
    private static partial void LogStarted(ILogger logger, string error, string operation, double grace, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Redis calls still failing: {Count} more failed, {Seconds:F0} s since the first (last: {Error})")]
    private static partial void LogStillFailing(ILogger logger, long count, double seconds, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Redis answering again after {Count} failed calls over {Seconds:F0} s: shared cache, quota and backlog back in use")]
    private static partial void LogRecovered(ILogger logger, long count, double seconds);
}
