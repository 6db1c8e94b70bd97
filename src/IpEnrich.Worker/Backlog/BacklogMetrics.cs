using System.Diagnostics.Metrics;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;

namespace IpEnrich.Worker.Backlog;

/// <summary>The backlog gauges, read from the last snapshot: <c>ipenrich.backlog.size</c> {priority} and <c>ipenrich.backlog.oldest</c> (s).</summary>
internal sealed class BacklogMetrics
{
    private static readonly string[] PriorityNames = [.. Enum.GetNames<AlertPriority>().Select(n => n.ToLowerInvariant())];
    private readonly TimeProvider _time;
    private BacklogSnapshot _snapshot = BacklogSnapshot.Empty;

    public BacklogMetrics(IpEnrichTelemetry telemetry, TimeProvider time)
    {
        _time = time;
        telemetry.Meter.CreateObservableGauge("ipenrich.backlog.size", ObserveSize, "{ip}", "Wanted lookups waiting for the API budget, by the priority of their most urgent alert");
        telemetry.Meter.CreateObservableGauge("ipenrich.backlog.oldest", () => OldestSeconds, "s", "Age of the oldest wanted lookup (0 when none waits)");
    }

    public BacklogSnapshot Snapshot
    {
        get => Volatile.Read(ref _snapshot);
        set => Volatile.Write(ref _snapshot, value);
    }

    public double OldestSeconds => Snapshot.OldestWanted is { } oldest ? Math.Max(0, (_time.GetUtcNow() - oldest).TotalSeconds) : 0;

    private IEnumerable<Measurement<long>> ObserveSize()
    {
        var byPriority = Snapshot.ByPriority;
        for (var p = 0; p < byPriority.Count; p++)
        {
            yield return new Measurement<long>(byPriority[p], new KeyValuePair<string, object?>("priority", PriorityNames[p]));
        }
    }
}
