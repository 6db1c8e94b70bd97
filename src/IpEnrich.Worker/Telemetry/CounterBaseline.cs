using IpEnrich.Core.Telemetry;
using OpenTelemetry.Metrics;

namespace IpEnrich.Worker.Telemetry;

/// <summary>
/// At host start, once the metrics pipeline listens (the <see cref="MeterProvider"/> is a dependency, so it exists):
/// starts the rare-event counters at zero, so the dashboard and alerts see their series before the first event.
/// </summary>
internal sealed class CounterBaseline(MeterProvider provider, IpEnrichTelemetry telemetry) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        GC.KeepAlive(provider);
        telemetry.StartCountersAtZero();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
