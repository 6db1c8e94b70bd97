using System.Diagnostics.Metrics;
using IpEnrich.Core.Telemetry;

namespace IpEnrich.Demo;

/// <summary>Reads the product's own metrics to report the cache hit ratio and API calls.</summary>
internal sealed class DemoLookupCounts : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _read = new();
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

    public double HitRatio
    {
        get
        {
            lock (_read)
            {
                (_hits, _lookups) = (0, 0);
                _listener.RecordObservableInstruments(); // the lookups counter reports its totals, by source, when read
                return _lookups == 0 ? 0 : (double)_hits / _lookups;
            }
        }
    }

    public long ApiCalls => Interlocked.Read(ref _api);

    private void OnMeasurement(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        if (instrument.Name == MetricNames.ApiRequests)
        {
            Interlocked.Add(ref _api, value);
            return;
        }

        _lookups += value;
        foreach (var tag in tags)
        {
            if (tag.Key == TagNames.Source && tag.Value is LookupSources.L1 or LookupSources.Redis or LookupSources.Coalesced)
            {
                _hits += value;
            }
        }
    }

    public void Dispose() => _listener.Dispose();
}
