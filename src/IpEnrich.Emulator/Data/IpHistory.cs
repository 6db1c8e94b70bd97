namespace IpEnrich.Emulator.Data;

/// <summary>
/// The connections to one IP, sorted by time, with each device's latest connection sorted too, so a statistics query
/// is a few binary searches rather than a scan.
/// </summary>
internal sealed class IpHistory
{
    private readonly Lock _gate = new();
    private readonly List<(long Ticks, int Device, bool Mapped)> _events = [];
    private long[] _deviceLatest = [];
    private bool _dirty;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _events.Count;
            }
        }
    }

    /// <param name="mapped">Recorded in the IPv4-mapped IPv6 form: statistics fold it in, hunting shows the text as recorded.</param>
    public void Add(long ticks, int device, bool mapped = false)
    {
        lock (_gate)
        {
            _events.Add((ticks, device, mapped));
            _dirty = true;
        }
    }

    /// <summary>A copy of every connection, in no particular order, so readers do not hold the lock while they work.</summary>
    public (long Ticks, int Device, bool Mapped)[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _events];
        }
    }

    public (int Prevalence, long? First, long? Last) Query(long windowStart, long windowEnd)
    {
        lock (_gate)
        {
            if (_dirty)
            {
                Rebuild();
            }

            var first = LowerBound(windowStart);
            var endExclusive = UpperBound(windowEnd);
            if (first >= endExclusive)
            {
                return (0, null, null);
            }

            int prevalence;
            if (_events[^1].Ticks <= windowEnd)
            {
                // No connection after the window: a device counts when its latest connection is inside it.
                prevalence = _deviceLatest.Length - LowerBound(_deviceLatest, windowStart);
            }
            else
            {
                var devices = new HashSet<int>();
                for (var i = first; i < endExclusive; i++)
                {
                    devices.Add(_events[i].Device);
                }

                prevalence = devices.Count;
            }

            return (prevalence, _events[first].Ticks, _events[endExclusive - 1].Ticks);
        }
    }

    private void Rebuild()
    {
        _events.Sort(static (a, b) => a.Ticks.CompareTo(b.Ticks));
        var latest = new Dictionary<int, long>();
        foreach (var (ticks, device, _) in _events)
        {
            latest[device] = ticks; // sorted ascending: the last write is the latest
        }

        _deviceLatest = [.. latest.Values];
        Array.Sort(_deviceLatest);
        _events.TrimExcess();
        _dirty = false;
    }

    private int LowerBound(long ticks)
    {
        int lo = 0, hi = _events.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_events[mid].Ticks < ticks)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private int UpperBound(long ticks)
    {
        int lo = 0, hi = _events.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_events[mid].Ticks <= ticks)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private static int LowerBound(long[] sorted, long value)
    {
        var index = Array.BinarySearch(sorted, value);
        if (index < 0)
        {
            return ~index;
        }

        while (index > 0 && sorted[index - 1] == value)
        {
            index--;
        }

        return index;
    }
}
