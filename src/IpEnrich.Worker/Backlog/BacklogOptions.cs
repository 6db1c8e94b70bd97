namespace IpEnrich.Worker.Backlog;

/// <summary>Section <c>Backlog</c>: the wanted lookups waiting for the API budget (docs/architecture.md §4).</summary>
public sealed class BacklogOptions
{
    public const string SectionName = "Backlog";

    /// <summary>Wanted IPs kept at most; beyond it the least valuable go, counted in <c>ipenrich.backlog.dropped</c>.</summary>
    public int MaxIps { get; set; } = 100_000;

    /// <summary>Waiting-alert references kept per IP for late updates; the rest are counted, not kept.</summary>
    public int MaxAlertsPerIp { get; set; } = 1_000;

    /// <summary>A wanted IP not answered by then is dropped: its alerts are old news.</summary>
    public TimeSpan MaxAge { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Lookups answered at once; each waits for the shared quota before it calls the API.</summary>
    public int Concurrency { get; set; } = 8;

    /// <summary>How long a replica may hold a wanted IP it took; after a crash the IP is wanted again once this passes.</summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Shared through Redis (when configured) with every replica; false keeps it in the process (the CLI).</summary>
    public bool Shared { get; set; } = true;
}
