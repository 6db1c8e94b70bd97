namespace IpEnrich.Core.Telemetry;

/// <summary>
/// The state behind "one line when trouble starts, a summary while it lasts, one line when it ends": callers report
/// each failure and success, and learn which of the three (if any) to log. Thread-safe; the healthy path takes no lock.
/// The <c>report</c> callbacks run under the tracker's lock, so reports come in the order of the changes.
/// </summary>
public sealed class OutageTracker(TimeProvider time, TimeSpan summaryInterval)
{
    private readonly Lock _gate = new();
    private volatile bool _failing;
    private long _since;
    private long _summarisedAt;
    private long _failures;
    private long _sinceSummary;

    public TimeSpan SummaryInterval => summaryInterval;

    /// <summary>True from the first failure until the next success.</summary>
    public bool IsFailing => _failing;

    /// <summary>How long the current outage has lasted; zero when there is none.</summary>
    public TimeSpan FailingFor
    {
        get
        {
            lock (_gate)
            {
                return _failing ? time.GetElapsedTime(_since) : TimeSpan.Zero;
            }
        }
    }

    /// <summary>Records a failure and says whether it starts an outage or is due for a summary.</summary>
    public OutageEvent Failed() => Failed(0, static (_, _) => { });

    /// <summary>Records a failure; the outage's start goes to <paramref name="started"/>, a due summary to <paramref name="summary"/>.</summary>
    public OutageEvent Failed<TState>(TState state, Action<TState> started, Action<OutageEvent, TState> summary)
    {
        ArgumentNullException.ThrowIfNull(started);
        ArgumentNullException.ThrowIfNull(summary);
        return Failed((State: state, Started: started, Summary: summary), static (change, s) =>
        {
            if (change.Change == OutageChange.Started)
            {
                s.Started(s.State);
            }
            else
            {
                s.Summary(change, s.State);
            }
        });
    }

    /// <summary>Records a failure; a start or a due summary is passed to <paramref name="report"/>.</summary>
    public OutageEvent Failed<TState>(TState state, Action<OutageEvent, TState> report)
    {
        ArgumentNullException.ThrowIfNull(report);
        lock (_gate)
        {
            var now = time.GetTimestamp();
            OutageEvent change;
            if (!_failing)
            {
                (_failing, _since, _summarisedAt, _failures, _sinceSummary) = (true, now, now, 1, 0);
                change = new OutageEvent(OutageChange.Started, 1, TimeSpan.Zero);
            }
            else
            {
                _failures++;
                _sinceSummary++;
                if (time.GetElapsedTime(_summarisedAt, now) < summaryInterval)
                {
                    return default;
                }

                change = new OutageEvent(OutageChange.Summary, _sinceSummary, time.GetElapsedTime(_since, now));
                (_summarisedAt, _sinceSummary) = (now, 0);
            }

            report(change, state);
            return change;
        }
    }

    /// <summary>Records a success and says whether it ends an outage (with the outage's failure count and length).</summary>
    public OutageEvent Succeeded() => Succeeded(0, static (_, _) => { });

    /// <summary>Records a success; the end of an outage is passed to <paramref name="report"/>.</summary>
    public OutageEvent Succeeded<TState>(TState state, Action<OutageEvent, TState> report)
    {
        ArgumentNullException.ThrowIfNull(report);
        if (!_failing)
        {
            return default; // the usual case: no lock
        }

        lock (_gate)
        {
            if (!_failing)
            {
                return default;
            }

            _failing = false;
            var ended = new OutageEvent(OutageChange.Ended, _failures, time.GetElapsedTime(_since));
            report(ended, state);
            return ended;
        }
    }
}

/// <summary>What a reported failure or success changed: <see cref="OutageChange.None"/> for most.</summary>
/// <param name="Count">Failures: 1 when started, those since the last summary for a summary, all of them when ended.</param>
/// <param name="Lasted">Time since the outage started.</param>
public readonly record struct OutageEvent(OutageChange Change, long Count, TimeSpan Lasted);

public enum OutageChange
{
    None,
    Started,
    Summary,
    Ended,
}
