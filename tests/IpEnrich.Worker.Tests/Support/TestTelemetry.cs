using IpEnrich.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>The worker's instruments on a meter factory of their own, for unit tests that read them with MetricCollector.</summary>
public sealed class TestTelemetry : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().AddSingleton<IpEnrichTelemetry>().BuildServiceProvider();

    public IpEnrichTelemetry Instruments => _services.GetRequiredService<IpEnrichTelemetry>();

    public void Dispose() => _services.Dispose();
}
