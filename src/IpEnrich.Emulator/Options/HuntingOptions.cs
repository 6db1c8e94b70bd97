using System.ComponentModel.DataAnnotations;

namespace IpEnrich.Emulator.Options;

/// <summary>Limits of advanced hunting (<c>Emulator:Hunting</c>), as Microsoft documents them for Graph's runHuntingQuery.</summary>
public sealed class HuntingOptions
{
    /// <summary>Calls per minute per application ("at least 45 calls per minute").</summary>
    [Range(1, int.MaxValue)]
    public int PerMinute { get; set; } = 45;

    /// <summary>
    /// The tenant's CPU allowance per 15-minute cycle, in events examined: the emulator's stand-in for CPU time.
    /// A query is refused once the cycle's allowance is spent; the query that crosses it still completes.
    /// </summary>
    [Range(1, long.MaxValue)]
    public long CpuRowsPerCycle { get; set; } = 50_000_000;

    /// <summary>Results with more rows than this are refused (documented: 100,000).</summary>
    [Range(1, int.MaxValue)]
    public int MaxResultRows { get; set; } = 100_000;
}
