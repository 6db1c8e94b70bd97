using IpEnrich.Core.Telemetry;

namespace IpEnrich.Worker.Backlog;

/// <summary>The backlog's readings for the telemetry gauges, from the last snapshot: wanted lookups by priority, the oldest's age.</summary>
internal sealed class BacklogMetrics
{
    private readonly TimeProvider _time;
    private BacklogSnapshot _snapshot = BacklogSnapshot.Empty;

    public BacklogMetrics(IpEnrichTelemetry telemetry, TimeProvider time)
    {
        _time = time;
        telemetry.ObserveBacklog(() => Snapshot.ByPriority, () => OldestSeconds);
    }

    public BacklogSnapshot Snapshot
    {
        get => Volatile.Read(ref _snapshot);
        set => Volatile.Write(ref _snapshot, value);
    }

    public double OldestSeconds => Snapshot.OldestWanted is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0;
}
