namespace IpEnrich.Core.Enrichment;

/// <summary>The answer for one IP, as written into the enrichment object.</summary>
public readonly record struct IpLookupResult
{
    private IpLookupResult(IpLookupStatus status, LookupSource source, IpStats? stats, DateTimeOffset? fetchedAt, string? detail, bool viaHunting = false)
    {
        Status = status;
        Source = source;
        Stats = stats;
        FetchedAt = fetchedAt;
        Detail = detail;
        ViaHunting = viaHunting;
    }

    public IpLookupStatus Status { get; }

    public LookupSource Source { get; }

    /// <summary>Prevalence and first/last seen; set for <see cref="IpLookupStatus.Found"/>.</summary>
    public IpStats? Stats { get; }

    /// <summary>When the API produced this answer (not when it was read from a cache).</summary>
    public DateTimeOffset? FetchedAt { get; }

    /// <summary>The reason for a deferral, or the error text.</summary>
    public string? Detail { get; }

    /// <summary>Computed by advanced hunting (bulk statistics) rather than answered by the IP statistics API.</summary>
    public bool ViaHunting { get; }

    /// <summary>This answer, marked as computed by advanced hunting.</summary>
    public IpLookupResult AsHunted() => new(Status, Source, Stats, FetchedAt, Detail, viaHunting: true);

    /// <summary>True for an answer that will not change on retry: found, not seen, invalid.</summary>
    public bool IsFinal => Status is IpLookupStatus.Found or IpLookupStatus.NotSeen or IpLookupStatus.Invalid;

    public static IpLookupResult Found(IpStats stats, LookupSource source, DateTimeOffset fetchedAt)
    {
        ArgumentNullException.ThrowIfNull(stats);
        return stats.OrganizationPrevalence == 0
            ? NotSeen(source, fetchedAt)
            : new(IpLookupStatus.Found, source, stats, fetchedAt, null);
    }

    public static IpLookupResult NotSeen(LookupSource source, DateTimeOffset fetchedAt) =>
        new(IpLookupStatus.NotSeen, source, null, fetchedAt, null);

    public static IpLookupResult Invalid(LookupSource source, DateTimeOffset fetchedAt) =>
        new(IpLookupStatus.Invalid, source, null, fetchedAt, null);

    /// <param name="reason">Why no answer is available yet, e.g. <c>quota</c>, <c>timeout</c>, <c>outage</c>.</param>
    public static IpLookupResult Deferred(string reason) =>
        new(IpLookupStatus.Deferred, LookupSource.None, null, null, reason);

    public static IpLookupResult Error(string error) =>
        new(IpLookupStatus.Error, LookupSource.None, null, null, error);
}
