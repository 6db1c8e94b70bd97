using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Defender.Options;

/// <summary>
/// Configuration section <c>Defender</c> (docs/configuration.md). One credential: <see cref="ClientSecret"/>,
/// <see cref="CertificatePath"/> or <see cref="FederatedTokenFile"/>. The standard Azure variables
/// (<c>AZURE_CLIENT_ID</c>, <c>AZURE_TENANT_ID</c>, <c>AZURE_FEDERATED_TOKEN_FILE</c>, <c>AZURE_AUTHORITY_HOST</c>)
/// fill the matching keys when they are unset.
/// </summary>
public sealed class DefenderOptions : IValidatableObject
{
    public const string SectionName = "Defender";

    /// <summary><c>Commercial</c>, <c>Gcc</c>, <c>GccHigh</c> or <c>DoD</c>.</summary>
    public string Cloud { get; set; } = "Commercial";

    /// <summary>A regional host of the commercial cloud: us, eu, uk, au, swa, ina.</summary>
    public string? Region { get; set; }

    /// <summary>Overrides the cloud's API base, e.g. the emulator's <c>https://127.0.0.1:5443</c>.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Overrides the cloud's token authority host.</summary>
    public string? AuthorityHost { get; set; }

    public string? TenantId { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>PFX/PKCS#12 or PEM (certificate and private key) file.</summary>
    public string? CertificatePath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Send the certificate chain (x5c) with the assertion, for subject-name/issuer authentication.</summary>
    public bool SendX5C { get; set; } = true;

    /// <summary>Kubernetes workload identity: the projected service-account token, re-read whenever a token is acquired.</summary>
    public string? FederatedTokenFile { get; set; }

    /// <summary>Overrides the cloud's scope; must end in <c>/.default</c>.</summary>
    public string? Scope { get; set; }

    /// <summary>Overrides the cloud's Microsoft Graph base (advanced hunting, <c>Bulk:Enabled</c>).</summary>
    public string? GraphBaseUrl { get; set; }

    /// <summary>Overrides the cloud's Microsoft Graph scope; must end in <c>/.default</c>.</summary>
    public string? GraphScope { get; set; }

    /// <summary>The look-back window of the statistics: 1 to 720 hours (the API's documented maximum).</summary>
    [Range(1, 720)]
    public int LookBackHours { get; set; } = 720;

    /// <summary>A PEM CA certificate to trust for the API and the authority (e.g. the emulator's <c>--cert-out</c> file).</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Development only: accept any server certificate. Never use against real endpoints.</summary>
    public bool DangerousAcceptAnyServerCertificate { get; set; }

    [ValidateObjectMembers]
    public DefenderResilienceOptions Resilience { get; set; } = new();

    /// <summary>The rules across keys (credentials, files, clouds, URLs); the attributes bound each value.</summary>
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        DefenderOptionsRules.Failures(this).Select(failure => new ValidationResult(failure));

    /// <summary>The cloud preset with this configuration's overrides applied.</summary>
    public DefenderCloud ResolveEndpoints()
    {
        var cloud = DefenderCloud.Find(Cloud) ?? DefenderCloud.Commercial;
        var baseUrl = BaseUrl ?? (Region is { Length: > 0 } region ? DefenderCloud.RegionalBaseUrl(region) : cloud.BaseUrl);
        return cloud with
        {
            AuthorityHost = (AuthorityHost ?? cloud.AuthorityHost).TrimEnd('/'),
            BaseUrl = baseUrl.TrimEnd('/'),
            Scope = Scope ?? cloud.Scope,
            GraphBaseUrl = (GraphBaseUrl ?? cloud.GraphBaseUrl).TrimEnd('/'),
            GraphScope = GraphScope ?? cloud.GraphScope,
        };
    }
}

/// <summary>Timeouts, retries and circuit breaking of API calls (<c>Defender:Resilience</c>).</summary>
public sealed class DefenderResilienceOptions
{
    // Upper bounds: an alert waits for its lookups at most Enrichment:MaxWait anyway, and Polly refuses more than a day.
    [DurationRange("10ms", "10m")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    [DurationRange("10ms", "10m")]
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    [Range(0, 10)]
    public int MaxRetries { get; set; } = 3;

    [DurationRange("0s", "1m")]
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    [Range(0.0, 1.0, MinimumIsExclusive = true)]
    public double FailureRatio { get; set; } = 0.5;

    [Range(2, 100_000)]
    public int MinimumThroughput { get; set; } = 10;

    [DurationRange("500ms", "1h")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    [DurationRange("500ms", "1h")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Checks <see cref="DefenderOptions"/> at start, generated from its attributes and rules.</summary>
[OptionsValidator]
public sealed partial class DefenderOptionsValidator : IValidateOptions<DefenderOptions>;
