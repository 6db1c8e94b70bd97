using IpEnrich.Defender.Options;
using IpEnrich.Defender.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Defender.Tests.Options;

/// <summary>Each missing or contradictory setting gives its own one-line message naming the setting.</summary>
public sealed class DefenderOptionsTests
{
    private static readonly string ExistingFile = typeof(DefenderOptionsTests).Assembly.Location;

    private static IReadOnlyList<string> Failures(Dictionary<string, string?> settings)
    {
        var harness = new DefenderHarness(settings, new FakeTimeProvider());
        return harness.ValidationFailures();
    }

    private static Dictionary<string, string?> Valid() => new()
    {
        ["Defender:TenantId"] = "t",
        ["Defender:ClientId"] = "c",
        ["Defender:ClientSecret"] = "s",
    };

    private static Dictionary<string, string?> With(params (string Key, string? Value)[] changes)
    {
        var settings = Valid();
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public void A_complete_configuration_is_valid() => Assert.Empty(Failures(Valid()));

    public static TheoryData<string, string> Cases() => new()
    {
        { "no tenant", "Defender:TenantId is required (or set AZURE_TENANT_ID)" },
        { "no client", "Defender:ClientId is required (or set AZURE_CLIENT_ID)" },
        { "no credential", "Defender: no credential: set one of Defender:ClientSecret, Defender:CertificatePath or Defender:FederatedTokenFile (AZURE_FEDERATED_TOKEN_FILE)" },
        { "secret and certificate", "Defender: Defender:ClientSecret and Defender:CertificatePath are both set; choose one credential" },
        { "password without certificate", "Defender:CertificatePassword is set without Defender:CertificatePath" },
        { "missing certificate file", "Defender:CertificatePath: file '/nonexistent/client.pfx' does not exist" },
        { "missing token file", "Defender:FederatedTokenFile: file '/nonexistent/token' does not exist" },
        { "missing ca file", "Defender:CaCertificatePath: file '/nonexistent/ca.pem' does not exist" },
        { "look back 0", "Defender:LookBackHours must be between 1 and 720" },
        { "look back 721", "Defender:LookBackHours must be between 1 and 720" },
        { "http base url", "Defender:BaseUrl 'http://127.0.0.1:5443' must be an absolute https URL" },
        { "relative authority", "Defender:AuthorityHost 'login' must be an absolute https URL" },
        { "scope without default", "Defender:Scope 'https://api.securitycenter.microsoft.com' must end with /.default (client credentials)" },
        { "unknown cloud", "Defender:Cloud 'Mars' is not one of Commercial, Gcc, GccHigh, DoD" },
        { "region outside commercial", "Defender:Region applies only to Defender:Cloud=Commercial" },
        { "unknown region", "Defender:Region 'xx' is not one of us, eu, uk, au, swa, ina" },
        { "dangerous and ca", "Defender:DangerousAcceptAnyServerCertificate and Defender:CaCertificatePath are both set; choose one" },
        { "retries", "Defender:Resilience:MaxRetries must be between 0 and 10" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Each_problem_is_one_line_naming_the_setting(string problem, string expected)
    {
        var settings = problem switch
        {
            "no tenant" => With(("Defender:TenantId", null)),
            "no client" => With(("Defender:ClientId", null)),
            "no credential" => With(("Defender:ClientSecret", null)),
            "secret and certificate" => With(("Defender:CertificatePath", ExistingFile)),
            "password without certificate" => With(("Defender:CertificatePassword", "p")),
            "missing certificate file" => With(("Defender:ClientSecret", null), ("Defender:CertificatePath", "/nonexistent/client.pfx")),
            "missing token file" => With(("Defender:ClientSecret", null), ("Defender:FederatedTokenFile", "/nonexistent/token")),
            "missing ca file" => With(("Defender:CaCertificatePath", "/nonexistent/ca.pem")),
            "look back 0" => With(("Defender:LookBackHours", "0")),
            "look back 721" => With(("Defender:LookBackHours", "721")),
            "http base url" => With(("Defender:BaseUrl", "http://127.0.0.1:5443")),
            "relative authority" => With(("Defender:AuthorityHost", "login")),
            "scope without default" => With(("Defender:Scope", "https://api.securitycenter.microsoft.com")),
            "unknown cloud" => With(("Defender:Cloud", "Mars")),
            "region outside commercial" => With(("Defender:Cloud", "GccHigh"), ("Defender:Region", "eu")),
            "unknown region" => With(("Defender:Region", "xx")),
            "dangerous and ca" => With(("Defender:DangerousAcceptAnyServerCertificate", "true"), ("Defender:CaCertificatePath", ExistingFile)),
            "retries" => With(("Defender:Resilience:MaxRetries", "11")),
            _ => throw new ArgumentOutOfRangeException(nameof(problem)),
        };
        var failure = Assert.Single(Failures(settings));
        Assert.Equal(expected, failure);
        Assert.DoesNotContain('\n', failure);
    }

    [Fact]
    public void Unreadable_values_are_failures_with_the_rest_not_exceptions()
    {
        var failures = Failures(With(("Defender:LookBackHours", "abc"), ("Defender:Resilience:RetryDelay", "2"), ("Defender:Resilience:AttemptTimeout", "1.5s"),
            ("Defender:Resilience:TotalTimeout", "00:00:01"), ("Defender:TenantId", null)));
        Assert.Equal(
        [
            "Defender:LookBackHours: \"abc\" is not a whole number",
            "Defender:Resilience:RetryDelay: \"2\" is not a duration (use 00:06:00 or 6h, 30s, 500ms, 7d)",
            "Defender:TenantId is required (or set AZURE_TENANT_ID)",
            "Defender:Resilience:AttemptTimeout must not be above Defender:Resilience:TotalTimeout",
        ], failures);
    }

    [Fact]
    public void Resilience_durations_have_upper_bounds()
    {
        var failures = Failures(With(("Defender:Resilience:TotalTimeout", "1d"), ("Defender:Resilience:BreakDuration", "2h")));
        Assert.Equal(
        [
            "Defender:Resilience:TotalTimeout must be between 10ms and 10m",
            "Defender:Resilience:BreakDuration must be between 500ms and 1h",
        ], failures);
    }

    [Fact]
    public void Secrets_are_never_part_of_a_message()
    {
        var failures = Failures(With(("Defender:ClientSecret", "super-secret-value"), ("Defender:CertificatePath", ExistingFile), ("Defender:CertificatePassword", "pfx-secret")));
        Assert.All(failures, f => Assert.DoesNotContain("secret-value", f, StringComparison.Ordinal));
        Assert.All(failures, f => Assert.DoesNotContain("pfx-secret", f, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Commercial", null, "https://login.microsoftonline.com", "https://api.security.microsoft.com", "https://api.securitycenter.microsoft.com/.default")]
    [InlineData("Commercial", "eu", "https://login.microsoftonline.com", "https://eu.api.security.microsoft.com", "https://api.securitycenter.microsoft.com/.default")]
    [InlineData("Gcc", null, "https://login.microsoftonline.com", "https://api-gcc.securitycenter.microsoft.us", "https://api-gcc.securitycenter.microsoft.us/.default")]
    [InlineData("GccHigh", null, "https://login.microsoftonline.us", "https://api-gov.securitycenter.microsoft.us", "https://api-gov.securitycenter.microsoft.us/.default")]
    [InlineData("dod", null, "https://login.microsoftonline.us", "https://api-gov.securitycenter.microsoft.us", "https://api-gov.securitycenter.microsoft.us/.default")]
    public void Cloud_presets(string cloud, string? region, string authority, string baseUrl, string scope)
    {
        var endpoints = new DefenderOptions { Cloud = cloud, Region = region }.ResolveEndpoints();
        Assert.Equal((authority, baseUrl, scope), (endpoints.AuthorityHost, endpoints.BaseUrl, endpoints.Scope));
    }

    [Fact]
    public void Every_preset_value_is_overridable()
    {
        var endpoints = new DefenderOptions
        {
            Cloud = "GccHigh",
            AuthorityHost = "https://127.0.0.1:5443/",
            BaseUrl = "https://127.0.0.1:5443/",
            Scope = "https://api.securitycenter.microsoft.com/.default",
        }.ResolveEndpoints();
        Assert.Equal(("https://127.0.0.1:5443", "https://127.0.0.1:5443", "https://api.securitycenter.microsoft.com/.default"),
            (endpoints.AuthorityHost, endpoints.BaseUrl, endpoints.Scope));
    }

    [Fact]
    public void Azure_variables_fill_unset_keys_only()
    {
        var harness = new DefenderHarness(new Dictionary<string, string?>
        {
            ["Defender:ClientId"] = "configured",
            ["AZURE_CLIENT_ID"] = "from-env",
            ["AZURE_TENANT_ID"] = "tenant-from-env",
            ["AZURE_AUTHORITY_HOST"] = "https://login.microsoftonline.us/",
            ["AZURE_FEDERATED_TOKEN_FILE"] = ExistingFile,
        }, new FakeTimeProvider());
        var options = harness.Get<IOptions<DefenderOptions>>().Value;
        Assert.Equal("configured", options.ClientId);
        Assert.Equal("tenant-from-env", options.TenantId);
        Assert.Equal("https://login.microsoftonline.us", options.AuthorityHost);
        Assert.Equal(ExistingFile, options.FederatedTokenFile);
    }
}
