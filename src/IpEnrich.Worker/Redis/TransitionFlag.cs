namespace IpEnrich.Worker.Redis;

/// <summary>
/// A yes/no state that many threads set and read (Redis healthy, quota on its fallback) where each change is reported
/// exactly once, and reports come in the order of the changes.
/// </summary>
internal sealed class TransitionFlag(bool initial)
{
    private readonly Lock _changing = new();
    private volatile bool _value = initial;

    public bool Value => _value;

    /// <summary>Sets the value; if that changes it, runs <paramref name="onChange"/> with the new value under a lock.</summary>
    public void Set<TState>(bool value, TState state, Action<bool, TState> onChange)
    {
        // Every Redis call sets the flag and almost none changes it: those take no lock.
        if (_value == value)
        {
            return;
        }

        lock (_changing)
        {
            // Of the threads that saw the same change, the first reports it; the report ends before the next change.
            if (_value == value)
            {
                return;
            }

            _value = value;
            onChange(value, state);
        }
    }
}
