using System.Net;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Auth;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Configuration;
using IpEnrich.Defender.Http;
using IpEnrich.Defender.Hunting;
using IpEnrich.Defender.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;
using Polly;
using Polly.Retry;
using Polly.Telemetry;
using Polly.Timeout;

namespace IpEnrich.Defender;

public static class DefenderServiceCollectionExtensions
{
    public const string PipelineName = "defender-api";

    public const string HuntingPipelineName = "graph-hunting";

    /// <summary>The key of the token source for Microsoft Graph (<c>Defender:GraphScope</c>).</summary>
    public const string GraphTokens = "graph";

    /// <summary>
    /// The Defender client: options (validated at start), MSAL token source, typed HttpClient with resilience, and the
    /// hunting client. Needs the host's <see cref="IpEnrichTelemetry"/> (the telemetry module registers it).
    /// </summary>
    public static IServiceCollection AddDefenderClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSectionOptions<DefenderOptions, DefenderOptionsValidator>(configuration, DefenderOptions.SectionName);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IPostConfigureOptions<DefenderOptions>, AzureEnvironmentDefaults>());
        services.TryAddSingleton(TimeProvider.System);
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
            AddResilience(builder, r, r.AttemptTimeout, r.TotalTimeout, r.MaxRetries);
        });

        // Inside the resilience pipeline: every attempt carries a current token; the innermost sees only attempts that leave.
        client.AddHttpMessageHandler<BearerTokenHandler>();
        client.AddHttpMessageHandler(() => new AttemptCountingHandler());
        AddHuntingClient(services, configuration);
        return services;
    }

    /// <summary>
    /// Advanced hunting through Microsoft Graph: its own options (<c>Bulk</c>), a token for <c>Defender:GraphScope</c>
    /// from the same credential, and its own resilience pipeline (a query may run minutes; one retry at most).
    /// </summary>
    private static void AddHuntingClient(IServiceCollection services, IConfiguration configuration)
    {
        services.AddSectionOptions<BulkOptions, BulkOptionsValidator>(configuration, BulkOptions.SectionName);
        services.TryAddKeyedSingleton<IAccessTokenSource>(GraphTokens, (sp, _) => new MsalAccessTokenSource(
            sp.GetRequiredService<IOptions<DefenderOptions>>(), sp.GetRequiredService<IMsalHttpClientFactory>(), sp.GetRequiredService<DefenderApiStatus>(),
            sp.GetRequiredService<Microsoft.Extensions.Logging.ILogger<MsalAccessTokenSource>>(),
            sp.GetRequiredService<IOptions<DefenderOptions>>().Value.ResolveEndpoints().GraphScope, sp.GetRequiredService<TimeProvider>()));
        var hunting = services.AddHttpClient<IHuntingClient, HuntingClient>((sp, http) =>
            {
                http.BaseAddress = new Uri(sp.GetRequiredService<IOptions<DefenderOptions>>().Value.ResolveEndpoints().GraphBaseUrl + "/");
                http.DefaultRequestVersion = HttpVersion.Version20;
                http.DefaultVersionPolicy = HttpVersionPolicy.RequestVersionOrLower;
                http.Timeout = Timeout.InfiniteTimeSpan;
            })
            .ConfigurePrimaryHttpMessageHandler(sp => ServerCertificateTrust.CreateHandler(sp.GetRequiredService<IOptions<DefenderOptions>>().Value));
        hunting.AddResilienceHandler(HuntingPipelineName, (builder, context) =>
        {
            var r = context.ServiceProvider.GetRequiredService<IOptions<DefenderOptions>>().Value.Resilience;
            var query = context.ServiceProvider.GetRequiredService<IOptions<BulkOptions>>().Value.QueryTimeout;
            AddResilience(builder, r, query, query * 2, Math.Min(r.MaxRetries, 1));
        });
        hunting.AddHttpMessageHandler(sp => new BearerTokenHandler(sp.GetRequiredKeyedService<IAccessTokenSource>(GraphTokens)));
    }

    private static void AddResilience(ResiliencePipelineBuilder<HttpResponseMessage> builder, DefenderResilienceOptions r, TimeSpan attemptTimeout,
        TimeSpan totalTimeout, int maxRetries) =>
        builder
            .AddTimeout(totalTimeout)
            .AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(maxRetries, 1),
                ShouldHandle = args => ShouldRetryAsync(args, maxRetries),
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
            .AddTimeout(attemptTimeout);

    /// <summary>
    /// A transient failure is retried when the caller's quota has a slot for the retry (<see cref="IRetryQuota"/>). The
    /// predicate also runs on the last attempt, where nothing follows: no slot is taken there.
    /// </summary>
    private static ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args, int maxRetries) =>
        maxRetries <= 0 || !IsTransientFailure(args.Outcome) ? ValueTask.FromResult(false)
        : args.AttemptNumber < maxRetries && LookupAttempts.Of(args.Context) is { } attempts ? attempts.TryTakeRetrySlotAsync(args.Context.CancellationToken)
        : ValueTask.FromResult(true);

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
