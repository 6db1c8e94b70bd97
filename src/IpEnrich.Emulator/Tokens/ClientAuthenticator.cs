using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using IpEnrich.Emulator.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IpEnrich.Emulator.Tokens;

/// <summary>
/// Checks a client-credentials request's proof: the secret, a client assertion signed with the app's certificate
/// (<c>iss</c> = <c>sub</c> = client id, <c>aud</c> = the token endpoint), or a federated token from the app's trusted issuer.
/// </summary>
public sealed class ClientAuthenticator(TokenIssuer issuer)
{
    public const string JwtBearerAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

    private readonly JsonWebTokenHandler _handler = new();

    /// <returns>Null when the proof is valid; otherwise the Entra error to answer with.</returns>
    public async Task<EntraError?> AuthenticateAsync(AppRegistration app, string? secret, string? assertionType, string? assertion, string tokenEndpoint)
    {
        ArgumentNullException.ThrowIfNull(app);
        if (!string.IsNullOrEmpty(secret))
        {
            return app.ClientSecret is not null && FixedTimeEquals(secret, app.ClientSecret)
                ? null
                : EntraError.InvalidClient(7000215, "Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '" + app.ClientId + "'.");
        }

        if (string.IsNullOrEmpty(assertion))
        {
            return EntraError.InvalidClient(7000216, "'client_assertion', 'client_secret' or 'request' is required for the 'client_credentials' grant type.");
        }

        if (assertionType != JwtBearerAssertionType)
        {
            return EntraError.InvalidRequest(700025, $"Client assertion type '{assertionType}' is not supported; expected '{JwtBearerAssertionType}'.");
        }

        JsonWebToken jwt;
        try
        {
            jwt = _handler.ReadJsonWebToken(assertion);
        }
        catch (ArgumentException)
        {
            return EntraError.InvalidClient(700027, "Client assertion contains an invalid signature or is malformed.");
        }

        var federated = app.FederatedIssuer is not null && string.Equals(jwt.Issuer, app.FederatedIssuer, StringComparison.Ordinal);
        if (!federated && app.CertificatePath is null)
        {
            return app.FederatedIssuer is not null
                ? EntraError.InvalidClient(700211, $"No matching federated identity record found for presented assertion issuer '{jwt.Issuer}'.")
                : EntraError.InvalidClient(700027, "Client assertion failed signature validation: no certificate is registered for the application.");
        }

        var parameters = new TokenValidationParameters
        {
            IssuerSigningKey = federated ? LoadKey(app.FederatedKeyPath) : LoadKey(app.CertificatePath),
            ValidIssuer = federated ? app.FederatedIssuer : app.ClientId,
            ValidAudiences = federated ? [app.FederatedAudience] : [tokenEndpoint, tokenEndpoint.Replace("/oauth2/v2.0/token", "/oauth2/token", StringComparison.Ordinal)],
            // Entra tolerates five minutes of clock skew on client assertions.
            LifetimeValidator = (notBefore, expires, _, _) => issuer.IsWithin(notBefore, expires, TimeSpan.FromMinutes(5)),
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            TryAllIssuerSigningKeys = true,
        };
        var result = await _handler.ValidateTokenAsync(assertion, parameters);
        if (!result.IsValid)
        {
            return result.Exception switch
            {
                SecurityTokenExpiredException or SecurityTokenNotYetValidException or SecurityTokenInvalidLifetimeException =>
                    EntraError.InvalidClient(700024, "Client assertion is not within its valid time range."),
                SecurityTokenInvalidAudienceException =>
                    EntraError.InvalidClient(700021, $"Client assertion audience claim does not match Realm issuer. Expected '{parameters.ValidAudiences.First()}'."),
                SecurityTokenInvalidIssuerException when federated is false =>
                    EntraError.InvalidClient(700023, "Client assertion issuer does not match the client id."),
                _ => EntraError.InvalidClient(700027, "Client assertion failed signature validation."),
            };
        }

        var subject = jwt.Subject;
        if (federated ? !string.Equals(subject, app.FederatedSubject, StringComparison.Ordinal) : !string.Equals(subject, app.ClientId, StringComparison.Ordinal))
        {
            return federated
                ? EntraError.InvalidClient(70021, $"No matching federated identity record found for presented assertion. Assertion Issuer: '{jwt.Issuer}'. Assertion Subject: '{subject}'.")
                : EntraError.InvalidClient(700023, "Client assertion subject does not match the client id.");
        }

        return null;
    }

    private static SecurityKey LoadKey(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new InvalidOperationException("no verification key is configured");
        }

        var text = File.ReadAllText(path);
        if (text.Contains("BEGIN CERTIFICATE", StringComparison.Ordinal))
        {
            return new X509SecurityKey(X509Certificate2.CreateFromPem(text));
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(text);
        return new RsaSecurityKey(rsa);
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));
}
