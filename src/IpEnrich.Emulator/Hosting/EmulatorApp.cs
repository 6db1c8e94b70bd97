using System.Security.Cryptography.X509Certificates;
using IpEnrich.Emulator.Api;
using IpEnrich.Emulator.Data;
using IpEnrich.Emulator.Diagnostics;
using IpEnrich.Emulator.Faults;
using IpEnrich.Emulator.Hunting;
using IpEnrich.Emulator.Options;
using IpEnrich.Emulator.Quota;
using IpEnrich.Emulator.Tls;
using IpEnrich.Emulator.Tokens;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace IpEnrich.Emulator.Hosting;

/// <summary>Builds the emulator as a web application; the tests, the demo and the load harness host it in-process.</summary>
public static class EmulatorApp
{
    public const string DefaultUrl = "https://127.0.0.1:5443";

    private static readonly Dictionary<string, string> SwitchMappings = new(StringComparer.Ordinal)
    {
        ["--events"] = "Emulator:EventsFile",
        ["--cert-out"] = "Emulator:CertificateOut",
        ["--tenant"] = "Emulator:TenantId",
        ["--client-id"] = "Emulator:ClientId",
        ["--client-secret"] = "Emulator:ClientSecret",
        ["--synthetic-devices"] = "Emulator:SyntheticDevices",
        ["--synthetic-ips"] = "Emulator:SyntheticIps",
        ["--synthetic-events"] = "Emulator:SyntheticEvents",
        ["--seed"] = "Emulator:Seed",
        ["--now"] = "Emulator:Now",
        ["--legacy-not-found"] = "Emulator:LegacyNotFound",
    };

    /// <param name="configureServices">Replaces services for tests, e.g. a FakeTimeProvider.</param>
    public static WebApplication Create(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Configuration.AddCommandLine(args, SwitchMappings);
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddOptions<EmulatorOptions>()
            .Bind(builder.Configuration.GetSection(EmulatorOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<IOptions<EmulatorOptions>>().Value);
        builder.Services.AddSingleton(sp => sp.GetRequiredService<EmulatorOptions>().Quota);
        builder.Services.AddSingleton<AppDirectory>();
        builder.Services.AddSingleton<TokenIssuer>();
        builder.Services.AddSingleton<ClientAuthenticator>();
        builder.Services.AddSingleton<TokenEndpoints>();
        builder.Services.AddSingleton<ApiQuota>();
        builder.Services.AddSingleton<FaultInjector>();
        builder.Services.AddSingleton<CallStatistics>();
        builder.Services.AddSingleton<ApiGate>();
        builder.Services.AddSingleton<IpStatsEndpoint>();
        builder.Services.AddSingleton<HuntingLimits>();
        builder.Services.AddSingleton<HuntingEndpoint>();
        builder.Services.AddSingleton(sp => LoadEvents(sp.GetRequiredService<EmulatorOptions>(), sp.GetRequiredService<TimeProvider>()));
        // Real clock: TLS clients check validity against wall time even when tests fake the emulator's clock.
        builder.Services.AddSingleton(_ => new EmulatorCertificate(SelfSignedCertificate.Create(TimeProvider.System)));
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, EmulatorJsonContext.Default));
        builder.WebHost.UseKestrelHttpsConfiguration(); // the slim builder leaves HTTPS out
        builder.WebHost.ConfigureKestrel((context, kestrel) =>
            kestrel.ConfigureHttpsDefaults(https => https.ServerCertificate = kestrel.ApplicationServices.GetRequiredService<EmulatorCertificate>().Certificate));
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        // Load events now: a bad events file fails start with its line number, not at the first request.
        app.Services.GetRequiredService<EventStore>();
        app.MapGet("/api/ips/{ip}/stats", (HttpContext context, string ip, IpStatsEndpoint endpoint) => endpoint.HandleAsync(context, ip));
        app.MapPost("/v1.0/security/runHuntingQuery", (HttpContext context, HuntingEndpoint endpoint) => endpoint.HandleAsync(context));
        app.MapPost("/{tenant}/oauth2/v2.0/token", (HttpContext context, string tenant, TokenEndpoints tokens) => tokens.TokenAsync(context, tenant));
        app.MapGet("/{tenant}/v2.0/.well-known/openid-configuration", (HttpContext context, string tenant, TokenEndpoints tokens) => tokens.OpenIdConfiguration(context, tenant));
        app.MapGet("/{tenant}/discovery/v2.0/keys", (TokenEndpoints tokens) => tokens.Keys());
        app.MapEmulatorAdmin();
        app.Lifetime.ApplicationStarted.Register(() => OnStarted(app));
        return app;
    }

    /// <summary>The addresses Kestrel listens on (resolved after start, so port 0 works in tests).</summary>
    public static IReadOnlyList<Uri> Addresses(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        return [.. addresses.Select(a => new Uri(a))];
    }

    private static EventStore LoadEvents(EmulatorOptions options, TimeProvider time)
    {
        var store = new EventStore();
        if (!string.IsNullOrEmpty(options.EventsFile))
        {
            using var reader = File.OpenText(options.EventsFile);
            EventFile.Load(store, reader, options.EventsFile);
        }

        if (options.SyntheticIps > 0 && options.SyntheticDevices > 0)
        {
            var events = options.SyntheticEvents > 0 ? options.SyntheticEvents : 20 * options.SyntheticIps;
            SyntheticEstate.Generate(store, options.SyntheticDevices, options.SyntheticIps, events, options.Seed, options.Now ?? time.GetUtcNow(), options.SyntheticMixedFamilies);
        }

        return store;
    }

    private static void OnStarted(WebApplication app)
    {
        var options = app.Services.GetRequiredService<EmulatorOptions>();
        var certificate = app.Services.GetRequiredService<EmulatorCertificate>().Certificate;
        if (!string.IsNullOrEmpty(options.CertificateOut))
        {
            SelfSignedCertificate.WritePem(certificate, options.CertificateOut);
        }

        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("IpEnrich.Emulator");
        var directory = app.Services.GetRequiredService<AppDirectory>();
        var store = app.Services.GetRequiredService<EventStore>();
        var addresses = app.Addresses();
        var baseUrl = addresses.Count > 0 ? addresses[0].ToString().TrimEnd('/') : DefaultUrl;
        foreach (var registered in directory.Apps)
        {
            var tokenEndpoint = $"{baseUrl}/{registered.TenantId}/oauth2/v2.0/token";
            var roles = string.Join(',', registered.Roles);
            EmulatorLog.Listening(logger, baseUrl, tokenEndpoint, registered.ClientId, registered.TenantId, roles);
        }

        if (directory.UsesDefaultApp)
        {
            // The built-in secret is public; a configured one is never printed.
            var secret = options.ClientSecret == EmulatorOptions.DefaultClientSecret ? options.ClientSecret : "(as configured)";
            EmulatorLog.DefaultCredentials(logger, options.TenantId, options.ClientId, secret);
        }

        EmulatorLog.Data(logger, store.EventCount, store.IpCount, store.DeviceCount, options.CertificateOut ?? "(not written; use --cert-out FILE)");
    }
}

/// <summary>The TLS certificate Kestrel serves; clients trust it as their CA.</summary>
public sealed record EmulatorCertificate(X509Certificate2 Certificate);

internal static partial class EmulatorLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Defender API emulator listening on {BaseUrl} — token endpoint {TokenEndpoint} — app {ClientId} in tenant {TenantId} with roles [{Roles}]")]
    public static partial void Listening(ILogger logger, string baseUrl, string tokenEndpoint, string clientId, string tenantId, string roles);

    [LoggerMessage(Level = LogLevel.Information, Message = "Default app: --tenant {TenantId} --client-id {ClientId} --client-secret {Secret}")]
    public static partial void DefaultCredentials(ILogger logger, string tenantId, string clientId, string secret);

    [LoggerMessage(Level = LogLevel.Information, Message = "Loaded {Events} events for {Ips} IPs from {Devices} devices; TLS certificate: {CertificateOut}")]
    public static partial void Data(ILogger logger, long events, int ips, int devices, string certificateOut);
}
