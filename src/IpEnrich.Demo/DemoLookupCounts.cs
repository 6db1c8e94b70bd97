using System.Diagnostics.Metrics;
using IpEnrich.Core.Telemetry;

namespace IpEnrich.Demo;

/// <summary>Reads the product's own metrics to report the cache hit ratio and API calls.</summary>
internal sealed class DemoLookupCounts : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _hits;
    private long _lookups;
    private long _api;

    public DemoLookupCounts()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == IpEnrichTelemetry.Name && instrument.Name is MetricNames.Lookups or MetricNames.ApiRequests)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>(OnMeasurement);
        _listener.Start();
    }

    public double HitRatio => Interlocked.Read(ref _lookups) == 0 ? 0 : (double)Interlocked.Read(ref _hits) / Interlocked.Read(ref _lookups);

    public long ApiCalls => Interlocked.Read(ref _api);

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == MetricNames.ApiRequests)
        {
            Interlocked.Add(ref _api, value);
            return;
        }

        Interlocked.Add(ref _lookups, value);
        foreach (var tag in tags)
        {
            if (tag.Key == "source" && tag.Value is "l1" or "redis" or "coalesced")
            {
                Interlocked.Add(ref _hits, value);
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
