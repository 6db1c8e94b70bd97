using IpEnrich.Core.Telemetry;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace IpEnrich.Worker.Telemetry;

public static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// The instruments' holder (<see cref="IpEnrichTelemetry"/>), and metrics and traces of Meter/ActivitySource <c>IpEnrich</c>, runtime and HttpClient: a Prometheus scrape endpoint
    /// always, OTLP when the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the SDK reads the other OTEL_* variables).
    /// Traces are recorded only when OTLP exports them: a span per alert that goes nowhere costs the hot path for
    /// nothing, and without one the input's <c>traceparent</c> is passed on unchanged.
    /// </summary>
    public static IServiceCollection AddIpEnrichTelemetry(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var otlp = !string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        // W3C trace context and baggage, as the SDK sets them when first used: set here, so an alert keeps its trace
        // whichever part touches the SDK first.
        Sdk.SetDefaultTextMapPropagator(new CompositeTextMapPropagator([new TraceContextPropagator(), new BaggagePropagator()]));
        services.AddMetrics();
        services.TryAddSingleton<IpEnrichTelemetry>();
        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("ipenrich"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(IpEnrichTelemetry.Name).AddRuntimeInstrumentation().AddHttpClientInstrumentation().AddPrometheusExporter();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }
            });
        services.AddHostedService<CounterBaseline>();
        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing.AddSource(IpEnrichTelemetry.Name).AddHttpClientInstrumentation().AddOtlpExporter());
        }

        return services;
    }
}
