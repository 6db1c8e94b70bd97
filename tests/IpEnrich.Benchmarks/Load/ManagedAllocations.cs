namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// This process's managed allocations, collections and GC pauses: read before and after a phase, the difference is
/// what the phase cost the GC per alert. On this 2-core machine the collector runs on the threads that allocate, so
/// its share comes straight out of the rate. A worker process's figures come from its <c>/metrics</c> (the runtime's
/// <c>System.Runtime</c> meter) instead.
/// </summary>
internal readonly record struct ManagedAllocations(long Bytes, int Gen0, int Gen1, int Gen2, TimeSpan Paused)
{
    public static ManagedAllocations Read() =>
        new(GC.GetTotalAllocatedBytes(precise: false), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());

    /// <summary>A worker's figures from its <c>/metrics</c>; its <c>dotnet.gc.collections</c> counts each collection once, at its generation.</summary>
    public static async Task<ManagedAllocations> ScrapeAsync(HttpClient metrics)
    {
        var scrape = await ScrapedCounters.ScrapeAsync(metrics);
        var (gen1, gen2) = ((int)scrape.Sum(Collections, "gen1"), (int)scrape.Sum(Collections, "gen2"));
        return new((long)scrape.Sum("dotnet_gc_heap_total_allocated_bytes_total"), (int)scrape.Sum(Collections, "gen0") + gen1 + gen2, gen1 + gen2, gen2,
            TimeSpan.FromSeconds(scrape.Sum("dotnet_gc_pause_time_seconds_total")));
    }

    public ManagedAllocations Plus(ManagedAllocations other) =>
        new(Bytes + other.Bytes, Gen0 + other.Gen0, Gen1 + other.Gen1, Gen2 + other.Gen2, Paused + other.Paused);

    public ManagedAllocations Since(ManagedAllocations earlier) =>
        new(Bytes - earlier.Bytes, Gen0 - earlier.Gen0, Gen1 - earlier.Gen1, Gen2 - earlier.Gen2, Paused - earlier.Paused);

    public string Describe(long alerts) =>
        $"{Bytes / Math.Max(1, alerts):N0} B allocated per alert, {Gen0} collections ({Gen1} gen1, {Gen2} gen2), paused {Paused.TotalMilliseconds:N0} ms";

    private const string Collections = "dotnet_gc_collections_total";
}
