namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// This process's managed allocations, collections and GC pauses: read before and after a phase, the difference is
/// what the phase cost the GC per alert. On this 2-core machine the collector runs on the threads that allocate, so
/// its share comes straight out of the rate.
/// </summary>
internal readonly record struct ManagedAllocations(long Bytes, int Gen0, int Gen1, int Gen2, TimeSpan Paused)
{
    public static ManagedAllocations Read() =>
        new(GC.GetTotalAllocatedBytes(precise: false), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    public ManagedAllocations Since(ManagedAllocations earlier) =>
        new(Bytes - earlier.Bytes, Gen0 - earlier.Gen0, Gen1 - earlier.Gen1, Gen2 - earlier.Gen2, Paused - earlier.Paused);

    public string Describe(long alerts) =>
        $"{Bytes / Math.Max(1, alerts):N0} B allocated per alert, {Gen0} collections ({Gen1} gen1, {Gen2} gen2), paused {Paused.TotalMilliseconds:N0} ms";
}
