using System.Collections.Concurrent;
using System.Globalization;

namespace IpEnrich.Emulator.Diagnostics;

/// <summary>
/// Stats API calls per application and status code: what tests and load runs count API usage with; and the last
/// <see cref="LogCapacity"/> calls in order (time, app, IP, status), for tests of what was asked when.
/// </summary>
public sealed class CallStatistics(TimeProvider time)
{
    public const string Unauthenticated = "(unauthenticated)";
    public const int LogCapacity = 100_000;

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, long>> _byApp = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, long>> _huntingByApp = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentQueue<CallRecord> _log = new();

    public void Record(string? appId, int statusCode, string? ip = null)
    {
        Count(_byApp, appId, statusCode);
        _log.Enqueue(new CallRecord(time.GetUtcNow(), appId ?? Unauthenticated, ip, statusCode));
        while (_log.Count > LogCapacity && _log.TryDequeue(out _))
        {
        }
    }

    /// <summary>An advanced hunting call: counted apart from the stats API's calls, and not in the call log (which lists IPs asked).</summary>
    public void RecordHunting(string? appId, int statusCode)
    {
        Count(_huntingByApp, appId, statusCode);
        _byApp.GetOrAdd(appId ?? Unauthenticated, _ => new ConcurrentDictionary<int, long>()); // the app appears in the report
    }

    private static void Count(ConcurrentDictionary<string, ConcurrentDictionary<int, long>> byApp, string? appId, int statusCode) =>
        byApp.GetOrAdd(appId ?? Unauthenticated, _ => new ConcurrentDictionary<int, long>()).AddOrUpdate(statusCode, 1, (_, n) => n + 1);

    /// <summary>The logged calls, oldest first.</summary>
    public IReadOnlyList<CallRecord> Log() => [.. _log];

    public long Total(string appId, int? statusCode = null) =>
        _byApp.TryGetValue(appId, out var counts)
            ? statusCode is { } s ? counts.GetValueOrDefault(s) : counts.Values.Sum()
            : 0;

    public void Reset()
    {
        _byApp.Clear();
        _huntingByApp.Clear();
        _log.Clear();
    }

    /// <summary>
    /// <c>{"apps":{"&lt;clientId&gt;":{"total":N,"byStatus":{"200":N},"hunting":{"total":N,"byStatus":{…}}}}}</c> (contract):
    /// <c>total</c> and <c>byStatus</c> count stats API calls only.
    /// </summary>
    public AppsReport Snapshot()
    {
        var apps = new SortedDictionary<string, AppCalls>(StringComparer.Ordinal);
        foreach (var (app, counts) in _byApp)
        {
            var stats = Counts(counts);
            apps[app] = new AppCalls(stats.Total, stats.ByStatus, Counts(_huntingByApp.GetValueOrDefault(app)));
        }

        return new AppsReport(apps);
    }

    private static CallCounts Counts(ConcurrentDictionary<int, long>? counts)
    {
        var byStatus = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (status, n) in counts ?? [])
        {
            byStatus[status.ToString(CultureInfo.InvariantCulture)] = n;
        }

        return new CallCounts(byStatus.Values.Sum(), byStatus);
    }
}

/// <summary>One stats API call: when it was answered, by which app, for which IP (as asked), with which status.</summary>
public sealed record CallRecord(DateTimeOffset At, string App, string? Ip, int Status);

public sealed record AppCalls(long Total, IDictionary<string, long> ByStatus, CallCounts Hunting);

public sealed record CallCounts(long Total, IDictionary<string, long> ByStatus);

public sealed record AppsReport(IDictionary<string, AppCalls> Apps);
