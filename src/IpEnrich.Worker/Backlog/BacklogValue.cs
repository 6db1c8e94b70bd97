using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// A wanted lookup's value as one sortable number: priority, then waiting alerts, then age (older first). 2 + 20 + 31
/// bits fit a double's 53-bit mantissa exactly, so Redis sorts by it as the process does. RedisBacklogScripts computes
/// the same number in Lua.
/// </summary>
internal static class BacklogValue
{
    public const long MaxWaiting = (1L << 20) - 1;
    public const double PriorityUnit = 2251799813685248; // 2^51
    private const double WaitingUnit = 2147483648; // 2^31
    private const long MaxAgeSeconds = (1L << 31) - 1;

    /// <summary>2024-01-01T00:00Z: seconds since then fit 31 bits until 2092.</summary>
    public const long EpochMs = 1_704_067_200_000;

    public static double Of(AlertPriority priority, long waiting, long firstWantedMs) =>
        ((int)priority * PriorityUnit)
        + (Math.Clamp(waiting, 0, MaxWaiting) * WaitingUnit)
        + (MaxAgeSeconds - Math.Clamp((firstWantedMs - EpochMs) / 1000, 0, MaxAgeSeconds));

    public static AlertPriority PriorityOf(double value) => (AlertPriority)Math.Clamp((int)(value / PriorityUnit), 0, (int)AlertPriority.Critical);
}
