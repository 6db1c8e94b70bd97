using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Defender.Options;

/// <summary>Fills unset <c>Defender</c> keys from the standard Azure workload-identity variables.</summary>
public sealed class AzureEnvironmentDefaults(IConfiguration configuration) : IPostConfigureOptions<DefenderOptions>
{
    public void PostConfigure(string? name, DefenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.ClientId ??= NonEmpty("AZURE_CLIENT_ID");
        options.TenantId ??= NonEmpty("AZURE_TENANT_ID");
        options.AuthorityHost ??= NonEmpty("AZURE_AUTHORITY_HOST")?.TrimEnd('/');
        // The federated token only fills in when no other credential is configured, so a secret still wins.
        if (string.IsNullOrEmpty(options.ClientSecret) && string.IsNullOrEmpty(options.CertificatePath))
        {
            options.FederatedTokenFile ??= NonEmpty("AZURE_FEDERATED_TOKEN_FILE");
        }
    }

    private string? NonEmpty(string key) => configuration[key] is { Length: > 0 } value ? value : null;
}
