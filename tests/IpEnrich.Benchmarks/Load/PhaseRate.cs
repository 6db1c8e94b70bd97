namespace IpEnrich.Benchmarks.Load;

/// <summary>A timed phase: the alerts it finished, how long it ran and what it cost the managed heap meanwhile.</summary>
internal readonly record struct PhaseRate(long Alerts, TimeSpan Elapsed, ManagedAllocations Gc)
{
    public double PerSecond => Alerts / Elapsed.TotalSeconds;
}
