using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace IpEnrich.Core.Telemetry;

/// <summary>
/// The one holder of IpEnrich's instruments: Meter and ActivitySource <c>IpEnrich</c>, names as in DESIGN §7 (a
/// contract for the dashboard). Created through <see cref="IMeterFactory"/> so hosts and tests collect it the standard way.
/// </summary>
public sealed class IpEnrichTelemetry : IDisposable
{
    public const string Name = "IpEnrich";

    public static readonly ActivitySource ActivitySource = new(Name);

    private readonly Meter _meter;

    public IpEnrichTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        Alerts = _meter.CreateCounter<long>("ipenrich.alerts", "{alert}", "Alerts processed, by outcome (complete, partial, deferred, none, dead_letter)");
        Lookups = _meter.CreateCounter<long>("ipenrich.lookups", "{lookup}", "IP lookups, by source (l1, redis, api, stale, coalesced, deferred)");
        ApiRequests = _meter.CreateCounter<long>("ipenrich.api.requests", "{request}", "Requests to the Defender API, by HTTP status code");
        Triage = _meter.CreateCounter<long>("ipenrich.triage", "{ip}", "Final answers fetched, by rarity (unseen, rare, uncommon, common) and new (first seen within Triage:NewWithin)");
        HuntingRequests = _meter.CreateCounter<long>("ipenrich.hunting.requests", "{request}", "Advanced hunting queries (bulk statistics), by HTTP status code");
        AlertDuration = _meter.CreateHistogram("ipenrich.alert.duration", "s", "Time from consuming an alert to the broker acknowledging its output",
            advice: SecondsAdvice);
        ApiDuration = _meter.CreateHistogram("ipenrich.api.duration", "s", "Duration of a Defender API call, retries included", advice: SecondsAdvice);
        Unpublishable = _meter.CreateCounter<long>("ipenrich.unpublishable", "{record}",
            "Outputs Kafka refused for good (size, form), sent as bounded dead letters instead, by error code");
        Updates = _meter.CreateCounter<long>("ipenrich.updates", "{update}",
            "Late updates, by outcome (published; unanswered when the lookup ended in an error; dropped without an updates topic; overflow past Backlog:MaxAlertsPerIp)");
        BacklogDropped = _meter.CreateCounter<long>("ipenrich.backlog.dropped", "{ip}", "Wanted lookups dropped for the backlog's bounds (Backlog:MaxIps, Backlog:MaxAge)");
        RedisErrors = _meter.CreateCounter<long>("ipenrich.redis.errors", "{call}", "Redis calls that failed or timed out, by operation (cache, quota, backlog; alert_wait: an alert stopped waiting for a slow read)");
    }

    // Bucket bounds in seconds, 1 ms to 60 s: the exporters' default bounds (0, 5, 10, 25 … 10,000) suit milliseconds
    // and would put every alert in the first bucket, leaving the dashboard's percentiles meaningless.
    private static readonly InstrumentAdvice<double> SecondsAdvice = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60],
    };

    /// <summary>Every metric name the worker emits (the dashboard and deployment checks read this list).</summary>
    public static IReadOnlyList<string> MetricNames { get; } =
    [
        "ipenrich.alerts", "ipenrich.lookups", "ipenrich.api.requests", "ipenrich.alert.duration",
        "ipenrich.api.duration", "ipenrich.quota.remaining", "ipenrich.consumer.lag", "ipenrich.redis.up",
        "ipenrich.backlog.size", "ipenrich.backlog.oldest", "ipenrich.backlog.dropped", "ipenrich.updates", "ipenrich.unpublishable",
        "ipenrich.redis.errors", "ipenrich.hunting.requests", "ipenrich.triage",
    ];

    /// <summary>The outcomes of <see cref="Updates"/>, each a series from the start (see <see cref="StartCountersAtZero"/>).</summary>
    public static IReadOnlyList<string> UpdateOutcomes { get; } = ["published", "unanswered", "dropped", "overflow"];

    /// <summary>The operations of <see cref="RedisErrors"/>.</summary>
    public static IReadOnlyList<string> RedisOperations { get; } = ["cache", "quota", "backlog", "alert_wait"];

    public Meter Meter => _meter;

    public Counter<long> Alerts { get; }

    public Counter<long> Lookups { get; }

    public Counter<long> ApiRequests { get; }

    /// <summary>Final answers fetched, by rarity and newness.</summary>
    public Counter<long> Triage { get; }

    /// <summary>Advanced hunting queries, by HTTP status code.</summary>
    public Counter<long> HuntingRequests { get; }

    public Histogram<double> AlertDuration { get; }

    public Histogram<double> ApiDuration { get; }

    /// <summary>Outputs replaced by a bounded dead letter because Kafka refused them for good.</summary>
    public Counter<long> Unpublishable { get; }

    /// <summary>Late updates (<c>Enrichment:UpdatesTopic</c>) by outcome.</summary>
    public Counter<long> Updates { get; }

    /// <summary>Wanted lookups dropped for the backlog's bounds.</summary>
    public Counter<long> BacklogDropped { get; }

    /// <summary>Failed Redis calls, by operation.</summary>
    public Counter<long> RedisErrors { get; }

    /// <summary>
    /// Records 0 on the counters of rare events (late updates by outcome, backlog drops, unpublishable outputs), so each
    /// series exists before its first event: <c>rate()</c>, <c>increase()</c> and alerts then see the first one. Call once
    /// the metrics pipeline listens (a measurement before it is lost).
    /// </summary>
    public void StartCountersAtZero()
    {
        foreach (var outcome in UpdateOutcomes)
        {
            Updates.Add(0, new KeyValuePair<string, object?>("outcome", outcome));
        }

        BacklogDropped.Add(0);
        Unpublishable.Add(0);
        HuntingRequests.Add(0);
        foreach (var rarity in Enum.GetValues<IpEnrich.Core.Enrichment.Rarity>())
        {
            foreach (var isNew in new[] { false, true })
            {
                Triage.Add(0, new KeyValuePair<string, object?>("rarity", IpEnrich.Core.Enrichment.TriageRules.Text(rarity)), new KeyValuePair<string, object?>("new", isNew));
            }
        }
        foreach (var operation in RedisOperations)
        {
            RedisErrors.Add(0, new KeyValuePair<string, object?>("operation", operation));
        }
    }

    public void Dispose() => _meter.Dispose();
}
