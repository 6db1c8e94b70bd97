using System.Collections.Concurrent;
using System.Globalization;

namespace IpEnrich.Emulator.Diagnostics;

/// <summary>Stats API calls per application and status code: what tests and load runs count API usage with.</summary>
public sealed class CallStatistics
{
    public const string Unauthenticated = "(unauthenticated)";

    private readonly ConcurrentDictionary<string, ConcurrentDictionary<int, long>> _byApp = new(StringComparer.OrdinalIgnoreCase);

    public void Record(string? appId, int statusCode)
    {
        var counts = _byApp.GetOrAdd(appId ?? Unauthenticated, _ => new ConcurrentDictionary<int, long>());
        counts.AddOrUpdate(statusCode, 1, (_, n) => n + 1);
    }

    public long Total(string appId, int? statusCode = null) =>
        _byApp.TryGetValue(appId, out var counts)
            ? statusCode is { } s ? counts.GetValueOrDefault(s) : counts.Values.Sum()
            : 0;

    public void Reset() => _byApp.Clear();

    /// <summary><c>{"apps":{"&lt;clientId&gt;":{"total":N,"byStatus":{"200":N}}}}</c> (contract).</summary>
    public AppsReport Snapshot()
    {
        var apps = new SortedDictionary<string, AppCalls>(StringComparer.Ordinal);
        foreach (var (app, counts) in _byApp)
        {
            var byStatus = new SortedDictionary<string, long>(StringComparer.Ordinal);
            foreach (var (status, n) in counts)
            {
                byStatus[status.ToString(CultureInfo.InvariantCulture)] = n;
            }

            apps[app] = new AppCalls(byStatus.Values.Sum(), byStatus);
        }

        return new AppsReport(apps);
    }
}

public sealed record AppCalls(long Total, IDictionary<string, long> ByStatus);

public sealed record AppsReport(IDictionary<string, AppCalls> Apps);
