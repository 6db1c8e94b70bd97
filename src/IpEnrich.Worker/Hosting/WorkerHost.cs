using IpEnrich.Core.Extraction;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Configuration;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Pipeline;
using IpEnrich.Worker.Telemetry;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Hosting;

/// <summary>The worker process: pipeline, lookups, telemetry, <c>/health/live</c>, <c>/health/ready</c>, <c>/metrics</c>.</summary>
public static class WorkerHost
{
    public const string DefaultUrl = "http://0.0.0.0:8080";

    public static WebApplication Build(string[] args, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        if (overrides is not null)
        {
            builder.Configuration.AddInMemoryCollection(overrides);
        }

        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddKafkaPipeline(builder.Configuration);
        // Bad CIDRs, paths or severity rules are a configuration line at start, not an exception when the pipeline starts.
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExtractionOptions>, ExtractionOptionsValidator>());
        builder.Services.AddIpEnrichTelemetry(builder.Configuration);
        builder.Services.AddSingleton<PipelineHealthCheck>();
        builder.Services.AddHealthChecks()
            .AddCheck<PipelineHealthCheck>("pipeline", tags: ["ready"])
            .AddCheck<LookupHealthCheck>("lookups", tags: ["ready"]);
        builder.Services.AddOptions<WorkerHostOptions>().BindChecked(builder.Configuration)
            .Validate(o => o.ShutdownTimeout >= TimeSpan.FromSeconds(1) && o.ShutdownTimeout <= TimeSpan.FromHours(1), "ShutdownTimeout must be between 1s and 1h")
            .ValidateOnStart();
        // Leniently: the host reads HostOptions while it is built, before the problems above can all be reported.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = CheckedBinding.BindLeniently(builder.Configuration, new WorkerHostOptions()).ShutdownTimeout);

        var app = builder.Build();
        try
        {
            StartupValidation.ThrowIfInvalid(app.Services);
        }
        catch (OptionsValidationException)
        {
            ((IDisposable)app).Dispose();
            throw;
        }

        var telemetry = app.Services.GetRequiredService<IpEnrichTelemetry>();
        var pipeline = app.Services.GetRequiredService<KafkaPipeline>();
        telemetry.Meter.CreateObservableGauge("ipenrich.consumer.lag", () => pipeline.ConsumerLag, "{message}", "Messages behind the end of the assigned input partitions");
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready"),
            ResultStatusCodes = { [HealthStatus.Degraded] = StatusCodes.Status200OK },
        });
        app.MapPrometheusScrapingEndpoint("/metrics");
        return app;
    }
}
