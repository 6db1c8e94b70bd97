namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Lanes enter together to produce; the consume thread closes the gate for a commit and gets it as soon as the lanes
/// already inside leave, while new ones wait until it reopens. A SemaphoreSlim would not do: each release goes to a
/// queued async waiter first, so under load a synchronous committer starves and one transaction grows without bound.
/// </summary>
internal sealed class CommitGate : IDisposable
{
    private readonly Lock _lock = new();
    private readonly ManualResetEventSlim _idle = new(initialState: true);
    private TaskCompletionSource? _closed;
    private int _inside;

    public async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task reopened;
            lock (_lock)
            {
                if (_closed is null)
                {
                    if (_inside++ == 0)
                    {
                        _idle.Reset();
                    }

                    return;
                }

                reopened = _closed.Task;
            }

            await reopened.WaitAsync(cancellationToken);
        }
    }

    public void Exit()
    {
        lock (_lock)
        {
            if (--_inside == 0)
            {
                _idle.Set();
            }
        }
    }

    /// <summary>
    /// On the consume thread (a dedicated one, so blocking is fine): stops new entries and waits up to
    /// <paramref name="timeout"/> for the gate to empty. False when a lane is still inside (e.g. waiting for a full
    /// producer queue while the broker is down): the gate stays closed, and the caller either opens it again and keeps
    /// polling, or goes ahead knowing a lane may still produce.
    /// </summary>
    public bool Close(TimeSpan timeout)
    {
        lock (_lock)
        {
            _closed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        return _idle.Wait(timeout);
    }

    public void Open()
    {
        TaskCompletionSource? closed;
        lock (_lock)
        {
            closed = _closed;
            _closed = null;
        }

        closed?.SetResult();
    }

    public void Dispose() => _idle.Dispose();
}
