namespace IpEnrich.Defender.Options;

/// <summary>
/// Configuration section <c>Defender</c> (DESIGN §6). One credential: <see cref="ClientSecret"/>,
/// <see cref="CertificatePath"/> or <see cref="FederatedTokenFile"/>. The standard Azure variables
/// (<c>AZURE_CLIENT_ID</c>, <c>AZURE_TENANT_ID</c>, <c>AZURE_FEDERATED_TOKEN_FILE</c>, <c>AZURE_AUTHORITY_HOST</c>)
/// fill the matching keys when they are unset.
/// </summary>
public sealed class DefenderOptions
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
    public int LookBackHours { get; set; } = 720;

    /// <summary>A PEM CA certificate to trust for the API and the authority (e.g. the emulator's <c>--cert-out</c> file).</summary>
    public string? CaCertificatePath { get; set; }

    /// <summary>Development only: accept any server certificate. Never use against real endpoints.</summary>
    public bool DangerousAcceptAnyServerCertificate { get; set; }

    public DefenderResilienceOptions Resilience { get; set; } = new();

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
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxRetries { get; set; } = 3;

    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public double FailureRatio { get; set; } = 0.5;

    public int MinimumThroughput { get; set; } = 10;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);
}
