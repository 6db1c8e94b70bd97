using System.ComponentModel.DataAnnotations;

namespace IpEnrich.Emulator.Options;

/// <summary>Configuration section <c>Emulator</c>.</summary>
public sealed class EmulatorOptions
{
    public const string SectionName = "Emulator";

    public const string DefaultTenantId = "11111111-1111-1111-1111-111111111111";
    public const string DefaultClientId = "22222222-2222-2222-2222-222222222222";
    public const string DefaultClientSecret = "emulator-secret";

    /// <summary>Registered applications. When empty, one app with <c>Ip.Read.All</c> is registered from the defaults.</summary>
    public IList<AppRegistration> Apps { get; } = [];

    /// <summary>Tenant, client id and secret of the default app (<c>--tenant</c>, <c>--client-id</c>, <c>--client-secret</c>).</summary>
    public string TenantId { get; set; } = DefaultTenantId;

    public string ClientId { get; set; } = DefaultClientId;

    public string ClientSecret { get; set; } = DefaultClientSecret;

    /// <summary>Answer 404 for never-seen IPs, as the 2019–2021 documentation describes, instead of 200 with prevalence 0.</summary>
    public bool LegacyNotFound { get; set; }

    /// <summary>NDJSON file of network events (<c>--events</c>).</summary>
    public string? EventsFile { get; set; }

    /// <summary>Writes the generated TLS certificate as PEM here (<c>--cert-out</c>) so clients can trust it.</summary>
    public string? CertificateOut { get; set; }

    /// <summary>Fixes "now" for statistics (<c>--now</c>), for reproducible answers. Quota and tokens keep the real clock.</summary>
    public DateTimeOffset? Now { get; set; }

    [Range(0, 10_000_000)]
    public int SyntheticDevices { get; set; }

    [Range(0, 10_000_000)]
    public int SyntheticIps { get; set; }

    /// <summary>Events generated for the synthetic estate; 0 means 20 per IP.</summary>
    [Range(0, 100_000_000)]
    public int SyntheticEvents { get; set; }

    public int Seed { get; set; } = 1;

    /// <summary>The synthetic estate mixes IPv6 addresses and IPv4-mapped events in (<c>Emulator:SyntheticMixedFamilies</c>).</summary>
    public bool SyntheticMixedFamilies { get; set; }

    /// <summary>Resources a token can be requested for (scope <c>{resource}/.default</c>); the first is the default audience.</summary>
    public IList<string> Resources { get; } = [];

    [Range(60, 86_400)]
    public int TokenLifetimeSeconds { get; set; } = 3599;

    /// <summary>The audience advanced hunting demands; tokens for it are requested with scope <c>{GraphResource}/.default</c>.</summary>
    public string GraphResource { get; set; } = "https://graph.microsoft.com";

    public QuotaOptions Quota { get; set; } = new();

    public HuntingOptions Hunting { get; set; } = new();

    public FaultOptions Faults { get; set; } = new();

    public static IReadOnlyList<string> DefaultResources { get; } =
    [
        "https://api.securitycenter.microsoft.com",
        "https://securitycenter.onmicrosoft.com/windowsatpservice",
        "https://api.security.microsoft.com",
        "https://api-gcc.securitycenter.microsoft.us",
        "https://api-gov.securitycenter.microsoft.us",
    ];

    /// <summary>Graph in the US government clouds (GCC High, DoD): requestable too, each token's aud being what was asked.</summary>
    public static IReadOnlyList<string> GovernmentGraphResources { get; } = ["https://graph.microsoft.us", "https://dod-graph.microsoft.us"];

    /// <summary>The audiences the IP statistics API accepts.</summary>
    public IReadOnlyList<string> ApiAudiences() => Resources.Count > 0 ? [.. Resources] : DefaultResources;

    /// <summary>The audiences advanced hunting accepts: the Graph resource and Graph's government clouds.</summary>
    public IReadOnlyList<string> GraphAudiences() => [GraphResource, .. GovernmentGraphResources];

    /// <summary>Every resource a token can be requested for.</summary>
    public IReadOnlyList<string> TokenResources() => [.. ApiAudiences(), .. GraphAudiences()];
}
