namespace IpEnrich.Defender.Options;

/// <summary><see cref="DefenderOptions"/>' rules across keys: one clear line per problem, naming the settings.</summary>
internal static class DefenderOptionsRules
{
    public static List<string> Failures(DefenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var cloud = DefenderCloud.Find(options.Cloud);
        if (cloud is null)
        {
            failures.Add($"Defender:Cloud '{options.Cloud}' is not one of {string.Join(", ", DefenderCloud.All.Select(c => c.Name))}");
        }

        if (!string.IsNullOrEmpty(options.Region))
        {
            if (cloud != DefenderCloud.Commercial)
            {
                failures.Add("Defender:Region applies only to Defender:Cloud=Commercial");
            }
            else if (!DefenderCloud.CommercialRegions.Contains(options.Region, StringComparer.OrdinalIgnoreCase))
            {
                failures.Add($"Defender:Region '{options.Region}' is not one of {string.Join(", ", DefenderCloud.CommercialRegions)}");
            }
        }

        if (string.IsNullOrWhiteSpace(options.TenantId))
        {
            failures.Add("Defender:TenantId is required (or set AZURE_TENANT_ID)");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add("Defender:ClientId is required (or set AZURE_CLIENT_ID)");
        }

        var credentials = new[]
        {
            ("Defender:ClientSecret", !string.IsNullOrEmpty(options.ClientSecret)),
            ("Defender:CertificatePath", !string.IsNullOrEmpty(options.CertificatePath)),
            ("Defender:FederatedTokenFile", !string.IsNullOrEmpty(options.FederatedTokenFile)),
        }.Where(c => c.Item2).Select(c => c.Item1).ToList();
        if (credentials.Count == 0)
        {
            failures.Add("Defender: no credential: set one of Defender:ClientSecret, Defender:CertificatePath or Defender:FederatedTokenFile (AZURE_FEDERATED_TOKEN_FILE)");
        }
        else if (credentials.Count > 1)
        {
            failures.Add($"Defender: {string.Join(" and ", credentials)} are both set; choose one credential");
        }

        if (!string.IsNullOrEmpty(options.CertificatePassword) && string.IsNullOrEmpty(options.CertificatePath))
        {
            failures.Add("Defender:CertificatePassword is set without Defender:CertificatePath");
        }

        RequireFile(failures, "Defender:CertificatePath", options.CertificatePath);
        RequireFile(failures, "Defender:FederatedTokenFile", options.FederatedTokenFile);
        RequireFile(failures, "Defender:CaCertificatePath", options.CaCertificatePath);

        RequireHttps(failures, "Defender:BaseUrl", options.BaseUrl);
        RequireHttps(failures, "Defender:AuthorityHost", options.AuthorityHost);
        RequireHttps(failures, "Defender:GraphBaseUrl", options.GraphBaseUrl);
        if (options.Scope is { } scope && !scope.EndsWith("/.default", StringComparison.Ordinal))
        {
            failures.Add($"Defender:Scope '{scope}' must end with /.default (client credentials)");
        }

        if (options.GraphScope is { } graphScope && !graphScope.EndsWith("/.default", StringComparison.Ordinal))
        {
            failures.Add($"Defender:GraphScope '{graphScope}' must end with /.default (client credentials)");
        }

        if (options.DangerousAcceptAnyServerCertificate && !string.IsNullOrEmpty(options.CaCertificatePath))
        {
            failures.Add("Defender:DangerousAcceptAnyServerCertificate and Defender:CaCertificatePath are both set; choose one");
        }

        if (options.Resilience.AttemptTimeout > options.Resilience.TotalTimeout)
        {
            failures.Add("Defender:Resilience:AttemptTimeout must not be above Defender:Resilience:TotalTimeout");
        }

        return failures;
    }
    private static void RequireFile(List<string> failures, string setting, string? path)
    {
        if (!string.IsNullOrEmpty(path) && !File.Exists(path))
        {
            failures.Add($"{setting}: file '{path}' does not exist");
        }
    }

    private static void RequireHttps(List<string> failures, string setting, string? url)
    {
        if (url is not null && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{setting} '{url}' must be an absolute https URL");
        }
    }
}
