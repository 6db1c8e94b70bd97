using System.ComponentModel.DataAnnotations;

namespace IpEnrich.Emulator.Options;

/// <summary>Injected faults for resilience tests; also settable at run time with <c>POST /emulator/faults</c>.</summary>
public sealed class FaultOptions
{
    /// <summary>Delay added to every API answer (IP statistics and hunting).</summary>
    [Range(0, 600_000)]
    public int LatencyMs { get; set; }

    /// <summary>Fraction (0..1) of API requests answered with a 500 or 503.</summary>
    [Range(0.0, 1.0)]
    public double ErrorRate { get; set; }

    /// <summary>The next N API requests fail with <see cref="FailNextStatus"/> (deterministic).</summary>
    [Range(0, int.MaxValue)]
    public int FailNextCount { get; set; }

    public int FailNextStatus { get; set; } = 503;

    /// <summary>Every API request is answered 429 for this many seconds from when it is set.</summary>
    [Range(0, 86_400)]
    public int Force429Seconds { get; set; }

    /// <summary>
    /// Both APIs answer 401 to every token, freshly issued ones included, exactly as to an invalid one: what the
    /// service does to a token it does not accept (e.g. signed with keys it no longer trusts, or for another cloud).
    /// </summary>
    public bool RejectTokens { get; set; }
}
