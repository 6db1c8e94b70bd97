namespace IpEnrich.Emulator.Options;

/// <summary>
/// An application registered in the emulator's directory (<c>Emulator:Apps:N</c>). It authenticates with its secret,
/// with an assertion signed by its certificate, or with a federated token from a trusted issuer (workload identity).
/// </summary>
public sealed class AppRegistration
{
    public string TenantId { get; set; } = string.Empty;

    public string ClientId { get; set; } = string.Empty;

    public string? ClientSecret { get; set; }

    /// <summary>Application roles granted to the app, e.g. <c>Ip.Read.All</c>.</summary>
    public IList<string> Roles { get; } = [];

    /// <summary>PEM or DER certificate whose key signs the app's client assertions.</summary>
    public string? CertificatePath { get; set; }

    /// <summary>Issuer of federated tokens accepted for this app (e.g. a Kubernetes service-account issuer).</summary>
    public string? FederatedIssuer { get; set; }

    /// <summary>Required <c>sub</c> of federated tokens, e.g. <c>system:serviceaccount:ns:ipenrich</c>.</summary>
    public string? FederatedSubject { get; set; }

    /// <summary>PEM certificate or public key that verifies federated tokens.</summary>
    public string? FederatedKeyPath { get; set; }

    /// <summary>Required <c>aud</c> of federated tokens.</summary>
    public string FederatedAudience { get; set; } = "api://AzureADTokenExchange";
}
