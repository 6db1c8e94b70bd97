using Polly.Telemetry;

namespace IpEnrich.Defender.Http;

/// <summary>
/// The log level of Polly's resilience events. Each attempt, retry and timeout is Debug (ApiOutageLog reports the
/// outage in a few lines). The circuit's first opening warns and its closing is Information; while the API stays
/// down it reopens after every failed half-open probe, and those reopenings are Debug.
/// </summary>
internal sealed class CircuitEventSeverity
{
    private int _open;

    public ResilienceEventSeverity Of(ResilienceEvent resilienceEvent) => resilienceEvent.EventName switch
    {
        "OnCircuitOpened" => Interlocked.Exchange(ref _open, 1) == 0 ? ResilienceEventSeverity.Warning : ResilienceEventSeverity.Debug,
        "OnCircuitClosed" => Interlocked.Exchange(ref _open, 0) == 1 ? ResilienceEventSeverity.Information : ResilienceEventSeverity.Debug,
        _ => ResilienceEventSeverity.Debug,
    };
}
