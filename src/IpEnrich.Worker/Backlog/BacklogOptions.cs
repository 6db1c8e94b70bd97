using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Backlog;

/// <summary>Section <c>Backlog</c>: the wanted lookups waiting for the API budget (docs/architecture.md §4).</summary>
public sealed class BacklogOptions
{
    public const string SectionName = "Backlog";

    /// <summary>Wanted IPs kept at most; beyond it the least valuable go, counted in <c>ipenrich.backlog.dropped</c>.</summary>
    [Range(1, 10_000_000)]
    public int MaxIps { get; set; } = 100_000;

    /// <summary>Waiting-alert references kept per IP for late updates; the rest are counted, not kept.</summary>
    [Range(0, 100_000)]
    public int MaxAlertsPerIp { get; set; } = 1_000;

    /// <summary>A wanted IP not answered by then is dropped: its alerts are old news.</summary>
    [DurationRange("1m", "30d")]
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Lookups answered at once; each waits for the shared quota before it calls the API.</summary>
    [Range(1, 256)]
    public int Concurrency { get; set; } = 8;

    /// <summary>How long a replica holds a wanted IP it took without renewing it (it renews while answering); after a crash the IP is wanted again once this passes.</summary>
    [DurationRange("1s", "1h")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Shared through Redis (when configured) with every replica; false keeps it in the process (the CLI).</summary>
    public bool Shared { get; set; } = true;
}

/// <summary>Checks <see cref="BacklogOptions"/> at start, generated from its attributes.</summary>
[OptionsValidator]
internal sealed partial class BacklogOptionsValidator : IValidateOptions<BacklogOptions>;
