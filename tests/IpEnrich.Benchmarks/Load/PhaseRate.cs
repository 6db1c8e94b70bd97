namespace IpEnrich.Benchmarks.Load;

/// <summary>A timed phase: its rate, how long it ran and what it cost the managed heap meanwhile.</summary>
internal readonly record struct PhaseRate(double PerSecond, TimeSpan Elapsed, ManagedAllocations Gc)
{
    public long Alerts => (long)Math.Round(PerSecond * Elapsed.TotalSeconds);
}
