using System.Net;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Auth;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Configuration;
using IpEnrich.Defender.Http;
using IpEnrich.Defender.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using Polly;
using Polly.Telemetry;
using Polly.Timeout;

namespace IpEnrich.Defender;

public static class DefenderServiceCollectionExtensions
{
    public const string PipelineName = "defender-api";

    /// <summary>The Defender client: options (validated at start), MSAL token source, typed HttpClient with resilience.</summary>
    public static IServiceCollection AddDefenderClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<DefenderOptions>()
            .BindChecked(configuration.GetSection(DefenderOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DefenderOptions>, DefenderOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<DefenderOptions>, AzureEnvironmentDefaults>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();
        services.TryAddSingleton<IpEnrichTelemetry>();
        services.TryAddSingleton<DefenderApiStatus>();
        services.TryAddSingleton<IAccessTokenSource, MsalAccessTokenSource>();
        services.TryAddSingleton<ApiOutageLog>();
        // Polly logs each retry, timeout and failed attempt as a warning or error: one line per lookup in an outage.
        services.TryAddSingleton<CircuitEventSeverity>();
        services.AddOptions<TelemetryOptions>().Configure<CircuitEventSeverity>((o, severity) => o.SeverityProvider = args => severity.Of(args.Event));
        services.TryAddSingleton<IMsalHttpClientFactory, MsalHttpClientFactory>();
        services.AddTransient<BearerTokenHandler>();

        services.AddHttpClient(MsalHttpClientFactory.ClientName)
            .ConfigurePrimaryHttpMessageHandler(sp => ServerCertificateTrust.CreateHandler(sp.GetRequiredService<IOptions<DefenderOptions>>().Value));

        var client = services.AddHttpClient<IDefenderClient, DefenderIpStatsClient>((sp, http) =>
            {
                var options = sp.GetRequiredService<IOptions<DefenderOptions>>().Value;
                http.BaseAddress = new Uri(options.ResolveEndpoints().BaseUrl + "/");
                http.DefaultRequestVersion = HttpVersion.Version20;
                http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
                http.Timeout = Timeout.InfiniteTimeSpan; // the resilience pipeline owns timeouts
            })
            .ConfigurePrimaryHttpMessageHandler(sp => ServerCertificateTrust.CreateHandler(sp.GetRequiredService<IOptions<DefenderOptions>>().Value));
        client.AddResilienceHandler(PipelineName, (builder, context) =>
            {
                var r = context.ServiceProvider.GetRequiredService<IOptions<DefenderOptions>>().Value.Resilience;
                builder
                    .AddTimeout(r.TotalTimeout)
                    .AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = Math.Max(r.MaxRetries, 1),
                        ShouldHandle = args => ValueTask.FromResult(r.MaxRetries > 0 && IsTransientFailure(args.Outcome)),
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        Delay = r.RetryDelay,
                        ShouldRetryAfterHeader = true,
                    })
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = r.FailureRatio,
                        MinimumThroughput = r.MinimumThroughput,
                        SamplingDuration = r.SamplingDuration,
                        BreakDuration = r.BreakDuration,
                        ShouldHandle = args => ValueTask.FromResult(IsTransientFailure(args.Outcome)),
                    })
                    .AddTimeout(r.AttemptTimeout);
            });

        // Inside the resilience pipeline: every attempt carries a current token.
        client.AddHttpMessageHandler<BearerTokenHandler>();
        return services;
    }

    /// <summary>
    /// What is retried and counts against the circuit: network errors, timeouts, 408 and 5xx. Never 429: throttling is
    /// the quota layer's to handle, and a blind retry only earns another 429.
    /// </summary>
    internal static bool IsTransientFailure(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result: { } response } => response.StatusCode == HttpStatusCode.RequestTimeout || (int)response.StatusCode >= 500,
        _ => false,
    };
}
