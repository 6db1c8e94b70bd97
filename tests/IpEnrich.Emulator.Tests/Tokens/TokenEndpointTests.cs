using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using Microsoft.Identity.Client;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IpEnrich.Emulator.Tests.Tokens;

/// <summary>The real MSAL ConfidentialClientApplication authenticating against the emulator over TLS.</summary>
[Trait("Category", "Integration")]
public sealed class TokenEndpointTests
{
    private static readonly string[] Scopes = ["https://api.securitycenter.microsoft.com/.default"];

    private sealed class TrustingFactory(RunningEmulator emulator) : IMsalHttpClientFactory
    {
        private readonly HttpClient _client = new(TrustedTls.Handler(emulator.Certificate));

        public HttpClient GetHttpClient() => _client;
    }

    private static ConfidentialClientApplicationBuilder Msal(RunningEmulator emulator, string clientId, string tenant) =>
        ConfidentialClientApplicationBuilder.Create(clientId)
            .WithAuthority(emulator.Authority(tenant), validateAuthority: false)
            .WithInstanceDiscovery(false)
            .WithHttpClientFactory(new TrustingFactory(emulator));

    [Fact]
    public async Task Msal_with_client_secret_gets_a_token_the_api_accepts()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var app = Msal(emulator, EmulatorOptions.DefaultClientId, EmulatorOptions.DefaultTenantId).WithClientSecret(EmulatorOptions.DefaultClientSecret).Build();
        var result = await app.AcquireTokenForClient(Scopes).ExecuteAsync(TestContext.Current.CancellationToken);

        var jwt = new JsonWebToken(result.AccessToken);
        Assert.Equal("https://api.securitycenter.microsoft.com", Assert.Single(jwt.Audiences));
        Assert.Equal($"https://sts.windows.net/{EmulatorOptions.DefaultTenantId}/", jwt.Issuer);
        Assert.Equal(EmulatorOptions.DefaultTenantId, jwt.GetClaim("tid").Value);
        Assert.Equal(EmulatorOptions.DefaultClientId, jwt.GetClaim("appid").Value);
        Assert.Equal("1.0", jwt.GetClaim("ver").Value);
        Assert.Contains(jwt.Claims, c => c.Type == "roles" && c.Value == "Ip.Read.All");
        Assert.Equal("RS256", jwt.Alg);
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetStatsAsync("10.0.0.1", result.AccessToken)).StatusCode);

        // MSAL serves the second request from its own cache.
        var again = await app.AcquireTokenForClient(Scopes).ExecuteAsync(TestContext.Current.CancellationToken);
        Assert.Equal(TokenSource.Cache, again.AuthenticationResultMetadata.TokenSource);
    }

    [Fact]
    public async Task Msal_with_a_certificate_assertion_gets_a_token()
    {
        using var certificate = CreateCertificate("CN=ipenrich-client");
        var pem = TempFiles.Write(certificate.ExportCertificatePem());
        await using var emulator = await RunningEmulator.StartAsync(
            "--Emulator:Apps:0:TenantId=t-cert", "--Emulator:Apps:0:ClientId=cert-app", "--Emulator:Apps:0:Roles:0=Ip.Read.All",
            $"--Emulator:Apps:0:CertificatePath={pem}");
        var app = Msal(emulator, "cert-app", "t-cert").WithCertificate(certificate, sendX5C: true).Build();
        var result = await app.AcquireTokenForClient(Scopes).ExecuteAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetStatsAsync("10.0.0.1", result.AccessToken)).StatusCode);

        using var other = CreateCertificate("CN=someone-else");
        var impostor = Msal(emulator, "cert-app", "t-cert").WithCertificate(other, sendX5C: true).Build();
        var error = await Assert.ThrowsAsync<MsalServiceException>(() => impostor.AcquireTokenForClient(Scopes).ExecuteAsync(TestContext.Current.CancellationToken));
        Assert.Equal("invalid_client", error.ErrorCode);
        Assert.Contains("AADSTS700027", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Msal_with_a_federated_token_file_gets_a_token()
    {
        using var issuerKey = RSA.Create(2048);
        var keyPem = TempFiles.Write(issuerKey.ExportSubjectPublicKeyInfoPem());
        const string Issuer = "https://oidc.test.invalid/cluster";
        const string Subject = "system:serviceaccount:security:ipenrich";
        await using var emulator = await RunningEmulator.StartAsync(
            "--Emulator:Apps:0:TenantId=t-wi", "--Emulator:Apps:0:ClientId=wi-app", "--Emulator:Apps:0:Roles:0=Ip.Read.All",
            $"--Emulator:Apps:0:FederatedIssuer={Issuer}", $"--Emulator:Apps:0:FederatedSubject={Subject}", $"--Emulator:Apps:0:FederatedKeyPath={keyPem}");
        var tokenFile = TempFiles.Write(FederatedToken(issuerKey, Issuer, Subject, emulator.Time.GetUtcNow()));
        var app = Msal(emulator, "wi-app", "t-wi")
            .WithClientAssertion(async (AssertionRequestOptions o) => await File.ReadAllTextAsync(tokenFile, o.CancellationToken))
            .Build();
        var result = await app.AcquireTokenForClient(Scopes).ExecuteAsync(TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, (await emulator.GetStatsAsync("10.0.0.1", result.AccessToken)).StatusCode);

        var wrongSubject = TempFiles.Write(FederatedToken(issuerKey, Issuer, "system:serviceaccount:other:x", emulator.Time.GetUtcNow()));
        var (status, body) = await PostTokenAsync(emulator, "t-wi", new()
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "wi-app", ["scope"] = Scopes[0],
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = await File.ReadAllTextAsync(wrongSubject, TestContext.Current.CancellationToken),
        });
        Assert.Equal(401, status);
        Assert.Equal(70021, body.GetProperty("error_codes")[0].GetInt32());

        emulator.Time.Advance(TimeSpan.FromHours(2)); // the projected token has expired and not been rotated
        (status, body) = await PostTokenAsync(emulator, "t-wi", new()
        {
            ["grant_type"] = "client_credentials", ["client_id"] = "wi-app", ["scope"] = Scopes[0],
            ["client_assertion_type"] = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            ["client_assertion"] = await File.ReadAllTextAsync(tokenFile, TestContext.Current.CancellationToken),
        });
        Assert.Equal(401, status);
        Assert.Equal(700024, body.GetProperty("error_codes")[0].GetInt32());
    }

    [Theory]
    [InlineData("unknown-client", "emulator-secret", "https://api.securitycenter.microsoft.com/.default", 400, "unauthorized_client", 700016)]
    [InlineData(EmulatorOptions.DefaultClientId, "wrong", "https://api.securitycenter.microsoft.com/.default", 401, "invalid_client", 7000215)]
    [InlineData(EmulatorOptions.DefaultClientId, "emulator-secret", "https://api.securitycenter.microsoft.com/Ip.Read.All", 400, "invalid_scope", 1002012)]
    [InlineData(EmulatorOptions.DefaultClientId, "emulator-secret", "https://graph.example/.default", 400, "invalid_resource", 500011)]
    public async Task Entra_style_errors(string clientId, string secret, string scope, int status, string error, int code)
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var (actualStatus, body) = await PostTokenAsync(emulator, EmulatorOptions.DefaultTenantId, new()
        {
            ["grant_type"] = "client_credentials", ["client_id"] = clientId, ["client_secret"] = secret, ["scope"] = scope,
        });
        Assert.Equal(status, actualStatus);
        Assert.Equal(error, body.GetProperty("error").GetString());
        Assert.Equal(code, body.GetProperty("error_codes")[0].GetInt32());
        Assert.StartsWith($"AADSTS{code}: ", body.GetProperty("error_description").GetString(), StringComparison.Ordinal);
        foreach (var field in new[] { "timestamp", "trace_id", "correlation_id" })
        {
            Assert.False(string.IsNullOrEmpty(body.GetProperty(field).GetString()));
        }
    }

    [Fact]
    public async Task Unknown_tenant_and_unsupported_grant_are_400()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var (status, body) = await PostTokenAsync(emulator, "no-such-tenant", new() { ["grant_type"] = "client_credentials", ["client_id"] = "x" });
        Assert.Equal(400, status);
        Assert.Equal(90002, body.GetProperty("error_codes")[0].GetInt32());
        (status, body) = await PostTokenAsync(emulator, EmulatorOptions.DefaultTenantId, new() { ["grant_type"] = "password" });
        Assert.Equal(400, status);
        Assert.Equal("unsupported_grant_type", body.GetProperty("error").GetString());
    }

    [Fact]
    public async Task Msal_reports_a_bad_secret_as_invalid_client()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var app = Msal(emulator, EmulatorOptions.DefaultClientId, EmulatorOptions.DefaultTenantId).WithClientSecret("wrong").Build();
        var error = await Assert.ThrowsAsync<MsalServiceException>(() => app.AcquireTokenForClient(Scopes).ExecuteAsync(TestContext.Current.CancellationToken));
        Assert.Equal("invalid_client", error.ErrorCode);
    }

    [Fact]
    public async Task Openid_configuration_and_jwks_describe_the_signing_key()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var client = emulator.CreateClient();
        var tenant = EmulatorOptions.DefaultTenantId;
        using var config = JsonDocument.Parse(await client.GetStringAsync(new Uri($"{tenant}/v2.0/.well-known/openid-configuration", UriKind.Relative), TestContext.Current.CancellationToken));
        Assert.Equal($"{emulator.Authority()}/v2.0", config.RootElement.GetProperty("issuer").GetString());
        Assert.Equal(emulator.TokenEndpoint(), config.RootElement.GetProperty("token_endpoint").GetString());
        var jwksUri = new Uri(config.RootElement.GetProperty("jwks_uri").GetString()!);
        var keys = new JsonWebKeySet(await client.GetStringAsync(jwksUri, TestContext.Current.CancellationToken));

        var token = await emulator.GetTokenAsync();
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKeys = keys.GetSigningKeys(),
            ValidAudience = "https://api.securitycenter.microsoft.com",
            ValidIssuer = $"https://sts.windows.net/{tenant}/",
        });
        Assert.True(result.IsValid, result.Exception?.Message);
    }

    private static async Task<(int Status, JsonElement Body)> PostTokenAsync(RunningEmulator emulator, string tenant, Dictionary<string, string> form)
    {
        using var client = emulator.CreateClient();
        using var content = new FormUrlEncodedContent(form);
        using var response = await client.PostAsync(new Uri(emulator.TokenEndpoint(tenant)), content, TestContext.Current.CancellationToken);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
        return ((int)response.StatusCode, body);
    }

    private static X509Certificate2 CreateCertificate(string subject)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static string FederatedToken(RSA key, string issuer, string subject, DateTimeOffset now) =>
        new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer,
            Audience = "api://AzureADTokenExchange",
            Claims = new Dictionary<string, object> { ["sub"] = subject },
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = now.AddHours(1).UtcDateTime,
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(key), SecurityAlgorithms.RsaSha256),
        });
}
