using System.Diagnostics;
using System.Diagnostics.Metrics;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Core.Telemetry;

/// <summary>
/// The one holder of IpEnrich's instruments: Meter and ActivitySource <c>IpEnrich</c>, every counter, histogram and
/// gauge (<see cref="MetricNames"/>). Gauges read what the parts hand over (<c>Observe…</c>); until then they report
/// nothing. Created through <see cref="IMeterFactory"/> so hosts and tests collect it the standard way.
/// </summary>
public sealed class IpEnrichTelemetry : IDisposable
{
    public const string Name = "IpEnrich";

    public static readonly ActivitySource ActivitySource = new(Name);

    private static readonly string[] PriorityNames = [.. Enum.GetNames<AlertPriority>().Select(n => n.ToLowerInvariant())];
    private readonly Meter _meter;
    private Func<(int Minute, int Hour)>? _quotaRemaining;
    private Func<int>? _redisUp;
    private Func<long>? _consumerLag;
    private Func<long>? _inFlightBytes;
    private Func<IReadOnlyList<long>>? _backlogByPriority;
    private Func<double>? _backlogOldestSeconds;

    public IpEnrichTelemetry(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(Name);
        Alerts = new TaggedCount(_meter, MetricNames.Alerts, "{alert}", "Alerts processed, by outcome (complete, partial, deferred, none, dead_letter)",
            TagNames.Outcome, AlertOutcomes.All);
        Lookups = new TaggedCount(_meter, MetricNames.Lookups, "{lookup}", "IP lookups, by source (l1, redis, api, hunting, stale, coalesced, deferred)",
            TagNames.Source, LookupSources.All);
        ApiRequests = _meter.CreateCounter<long>(MetricNames.ApiRequests, "{request}", "Requests to the Defender API, by HTTP status code");
        Triage = _meter.CreateCounter<long>(MetricNames.Triage, "{ip}", "Final answers fetched, by rarity (unseen, rare, uncommon, common) and new (first seen within Triage:NewWithin)");
        HuntingRequests = _meter.CreateCounter<long>(MetricNames.HuntingRequests, "{request}", "Advanced hunting queries (bulk statistics), by HTTP status code");
        AlertDuration = _meter.CreateHistogram(MetricNames.AlertDuration, "s", "Time from consuming an alert to the broker acknowledging its output",
            advice: SecondsAdvice);
        ApiDuration = _meter.CreateHistogram(MetricNames.ApiDuration, "s", "Duration of a Defender API call, retries included", advice: SecondsAdvice);
        Unpublishable = _meter.CreateCounter<long>(MetricNames.Unpublishable, "{record}",
            "Outputs Kafka refused for good (size, form), sent as bounded dead letters instead, by error code");
        Updates = _meter.CreateCounter<long>(MetricNames.Updates, "{update}",
            "Late updates, by outcome (published; unanswered when the lookup ended in an error; dropped without an updates topic; overflow past Backlog:MaxAlertsPerIp)");
        BacklogDropped = _meter.CreateCounter<long>(MetricNames.BacklogDropped, "{ip}", "Wanted lookups dropped for the backlog's bounds (Backlog:MaxIps, Backlog:MaxAge)");
        RedisErrors = _meter.CreateCounter<long>(MetricNames.RedisErrors, "{call}", "Redis calls that failed or timed out, by operation (cache, quota, backlog; alert_wait: an alert stopped waiting for a slow read)");
        _meter.CreateObservableGauge(MetricNames.QuotaRemaining, ReadQuota, "{call}", "API calls left in the shared budget, by window");
        _meter.CreateObservableGauge(MetricNames.RedisUp, () => One(_redisUp), null, "1 when Redis is reachable (or not configured), 0 while running on the in-process fallback");
        _meter.CreateObservableGauge(MetricNames.ConsumerLag, () => One(_consumerLag), "{message}", "Messages behind the end of the assigned input partitions");
        _meter.CreateObservableGauge(MetricNames.InFlightBytes, () => One(_inFlightBytes), "By",
            "Bytes of consumed messages held between consume and produce, counted against Kafka:MaxInFlightBytes");
        _meter.CreateObservableGauge(MetricNames.BacklogSize, ReadBacklogSize, "{ip}", "Wanted lookups waiting for the API budget, by the priority of their most urgent alert");
        _meter.CreateObservableGauge(MetricNames.BacklogOldest, () => One(_backlogOldestSeconds), "s", "Age of the oldest wanted lookup (0 when none waits)");
    }

    // Bucket bounds in seconds, 1 ms to 60 s: the exporters' default bounds (0, 5, 10, 25 … 10,000) suit milliseconds
    // and would put every alert in the first bucket, leaving the dashboard's percentiles meaningless.
    private static readonly InstrumentAdvice<double> SecondsAdvice = new()
    {
        HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 10, 30, 60],
    };

    public Meter Meter => _meter;

    /// <summary>Alerts processed, by outcome (<see cref="AlertOutcomes"/>): counted once per alert.</summary>
    public TaggedCount Alerts { get; }

    /// <summary>IP lookups, by where the answer came from (<see cref="LookupSources"/>): counted once per alert for L1.</summary>
    public TaggedCount Lookups { get; }

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
        foreach (var outcome in UpdateOutcomes.All)
        {
            Updates.Add(0, new KeyValuePair<string, object?>(TagNames.Outcome, outcome));
        }

        BacklogDropped.Add(0);
        Unpublishable.Add(0);
        HuntingRequests.Add(0);
        foreach (var rarity in Enum.GetValues<Rarity>())
        {
            foreach (var isNew in new[] { false, true })
            {
                Triage.Add(0, new KeyValuePair<string, object?>(TagNames.Rarity, TriageRules.Text(rarity)), new KeyValuePair<string, object?>(TagNames.New, isNew));
            }
        }
        foreach (var operation in RedisOperations.All)
        {
            RedisErrors.Add(0, new KeyValuePair<string, object?>(TagNames.Operation, operation));
        }
    }

    /// <summary>The quota gauge reads the budget left in each window from here.</summary>
    public void ObserveQuota(Func<(int Minute, int Hour)> remaining) => _quotaRemaining = remaining;

    /// <summary>The Redis gauge reads whether Redis answers from here.</summary>
    public void ObserveRedis(Func<bool> up) => _redisUp = () => up() ? 1 : 0;

    /// <summary>The consumer lag gauge reads the messages behind from here.</summary>
    public void ObserveConsumerLag(Func<long> lag) => _consumerLag = lag;

    /// <summary>The in-flight gauge reads the bytes held between consume and produce from here.</summary>
    public void ObserveInFlightBytes(Func<long> held) => _inFlightBytes = held;

    /// <summary>The backlog gauges read the wanted lookups by priority (<see cref="AlertPriority"/> order) and the oldest's age from here.</summary>
    public void ObserveBacklog(Func<IReadOnlyList<long>> byPriority, Func<double> oldestSeconds)
    {
        _backlogByPriority = byPriority;
        _backlogOldestSeconds = oldestSeconds;
    }

    private IEnumerable<Measurement<int>> ReadQuota()
    {
        if (_quotaRemaining is { } read)
        {
            var (minute, hour) = read();
            yield return new Measurement<int>(minute, new KeyValuePair<string, object?>(TagNames.Window, "minute"));
            yield return new Measurement<int>(hour, new KeyValuePair<string, object?>(TagNames.Window, "hour"));
        }
    }

    private IEnumerable<Measurement<long>> ReadBacklogSize()
    {
        var byPriority = _backlogByPriority?.Invoke() ?? [];
        for (var p = 0; p < byPriority.Count && p < PriorityNames.Length; p++)
        {
            yield return new Measurement<long>(byPriority[p], new KeyValuePair<string, object?>(TagNames.Priority, PriorityNames[p]));
        }
    }

    // A gauge of one series reads nothing until its part hands over the reading.
    private static IEnumerable<Measurement<T>> One<T>(Func<T>? read)
        where T : struct
    {
        if (read is not null)
        {
            yield return new Measurement<T>(read());
        }
    }

    public void Dispose() => _meter.Dispose();
}
