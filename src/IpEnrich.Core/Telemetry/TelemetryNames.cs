namespace IpEnrich.Core.Telemetry;

/// <summary>Every metric the worker emits: a contract with the dashboard and the alert rules (docs/operations.md).</summary>
public static class MetricNames
{
    public const string Alerts = "ipenrich.alerts";
    public const string Lookups = "ipenrich.lookups";
    public const string ApiRequests = "ipenrich.api.requests";
    public const string ApiDuration = "ipenrich.api.duration";
    public const string HuntingRequests = "ipenrich.hunting.requests";
    public const string AlertDuration = "ipenrich.alert.duration";
    public const string QuotaRemaining = "ipenrich.quota.remaining";
    public const string ConsumerLag = "ipenrich.consumer.lag";
    public const string InFlightBytes = "ipenrich.inflight.bytes";
    public const string RedisUp = "ipenrich.redis.up";
    public const string RedisErrors = "ipenrich.redis.errors";
    public const string BacklogSize = "ipenrich.backlog.size";
    public const string BacklogOldest = "ipenrich.backlog.oldest";
    public const string BacklogDropped = "ipenrich.backlog.dropped";
    public const string Updates = "ipenrich.updates";
    public const string Unpublishable = "ipenrich.unpublishable";
    public const string Triage = "ipenrich.triage";

    public static IReadOnlyList<string> All { get; } =
    [
        Alerts, Lookups, ApiRequests, AlertDuration, ApiDuration, QuotaRemaining, ConsumerLag, RedisUp, BacklogSize, BacklogOldest,
        BacklogDropped, Updates, Unpublishable, RedisErrors, HuntingRequests, Triage, InFlightBytes,
    ];
}

/// <summary>The tags the metrics carry.</summary>
public static class TagNames
{
    public const string Outcome = "outcome";
    public const string Source = "source";
    public const string StatusCode = "status_code";
    public const string Window = "window";
    public const string Priority = "priority";
    public const string Operation = "operation";
    public const string Reason = "reason";
    public const string Rarity = "rarity";
    public const string New = "new";
}

/// <summary>Where a lookup's answer came from (<see cref="MetricNames.Lookups"/> {source}).</summary>
public static class LookupSources
{
    public const string L1 = "l1";
    public const string Redis = "redis";
    public const string Api = "api";
    public const string Hunting = "hunting";
    public const string Coalesced = "coalesced";
    public const string Stale = "stale";
    public const string Deferred = "deferred";

    public static IReadOnlyList<string> All { get; } = [L1, Redis, Api, Hunting, Coalesced, Stale, Deferred];
}

/// <summary>What became of an alert (<see cref="MetricNames.Alerts"/> {outcome}): its enrichment status, or a dead letter.</summary>
public static class AlertOutcomes
{
    public const string Complete = "complete";
    public const string Partial = "partial";
    public const string Deferred = "deferred";
    public const string None = "none";
    public const string DeadLetter = "dead_letter";

    public static IReadOnlyList<string> All { get; } = [Complete, Partial, Deferred, None, DeadLetter];
}

/// <summary>What became of late updates (<see cref="MetricNames.Updates"/> {outcome}).</summary>
public static class UpdateOutcomes
{
    public const string Published = "published";
    public const string Unanswered = "unanswered";
    public const string Dropped = "dropped";
    public const string Overflow = "overflow";

    public static IReadOnlyList<string> All { get; } = [Published, Unanswered, Dropped, Overflow];
}

/// <summary>The Redis calls counted when they fail (<see cref="MetricNames.RedisErrors"/> {operation}).</summary>
public static class RedisOperations
{
    public const string Cache = "cache";
    public const string Quota = "quota";
    public const string Backlog = "backlog";
    public const string AlertWait = "alert_wait";

    public static IReadOnlyList<string> All { get; } = [Cache, Quota, Backlog, AlertWait];
}

/// <summary>The spans of <see cref="IpEnrichTelemetry.ActivitySource"/> and the attributes they carry.</summary>
public static class TraceNames
{
    public const string Enrich = "ipenrich.enrich";
    public const string GetIpStats = "defender.get_ip_stats";
    public const string RunHuntingQuery = "defender.run_hunting_query";

    public const string Ip = "ipenrich.ip";
    public const string Ips = "ipenrich.ips";
    public const string Result = "ipenrich.result";
    public const string Status = "ipenrich.status";
}
