namespace IpEnrich.Worker.Kafka;

/// <summary>
/// The graceful stop's steps, named as they run: when the stop outlasts <c>Kafka:DrainTimeout</c> by
/// <see cref="Grace"/>, a warning names the step it is still in (and again every <see cref="Grace"/>), so a pod stuck
/// in Terminating says why before it is killed; once done, one line says how long it took.
/// </summary>
internal sealed class GracefulStop : IDisposable
{
    public static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly long _started;
    private readonly ITimer _watchdog;
    private volatile string _step = "starting";

    public GracefulStop(TimeProvider time, TimeSpan drainTimeout, ILogger logger)
    {
        (_time, _logger, _started) = (time, logger, time.GetTimestamp());
        _watchdog = time.CreateTimer(_ => PipelineLog.StopStillRunning(_logger, _step, Elapsed.TotalSeconds), null, drainTimeout + Grace, Grace);
        PipelineLog.Stopping(logger, drainTimeout.TotalSeconds);
    }

    /// <summary>Time since the stop began.</summary>
    public TimeSpan Elapsed => _time.GetElapsedTime(_started);

    /// <summary>The step the stop is in from now, as the warning names it ("leaving the consumer group").</summary>
    public void Step(string step) => _step = step;

    /// <summary>Every step done: the watchdog ends and the stop's duration is logged.</summary>
    /// <param name="leftGroup">False when leaving the group did not finish within <paramref name="leaveLimit"/>.</param>
    public void Done(bool leftGroup, TimeSpan leaveLimit)
    {
        _watchdog.Dispose();
        if (leftGroup)
        {
            PipelineLog.Stopped(_logger, Elapsed.TotalSeconds);
        }
        else
        {
            PipelineLog.StoppedWithoutLeaving(_logger, Elapsed.TotalSeconds, leaveLimit.TotalSeconds);
        }
    }

    public void Dispose() => _watchdog.Dispose();
}
