using System.Text;
using IpEnrich.Emulator.Api;
using IpEnrich.Emulator.Options;
using Microsoft.Extensions.Options;

namespace IpEnrich.Emulator.Tokens;

/// <summary>
/// The Entra ID surface MSAL needs: <c>POST /{tenant}/oauth2/v2.0/token</c> (client credentials with a secret or
/// a client assertion), the OpenID configuration and the JWKS.
/// </summary>
public sealed class TokenEndpoints(AppDirectory directory, ClientAuthenticator authenticator, TokenIssuer issuer, TimeProvider time, IOptions<EmulatorOptions> options)
{
    private static readonly string[] AuthMethods = ["client_secret_post", "private_key_jwt", "client_secret_basic"];
    private static readonly string[] ResponseTypes = ["code", "id_token", "code id_token", "id_token token"];
    private static readonly string[] SubjectTypes = ["pairwise"];
    private static readonly string[] SigningAlgorithms = ["RS256"];
    private static readonly string[] Scopes = ["openid", "profile", "email", "offline_access"];
    private readonly IReadOnlyList<string> _resources = options.Value.TokenResources();

    public async Task<IResult> TokenAsync(HttpContext context, string tenant)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (!context.Request.HasFormContentType)
        {
            return Error(EntraError.InvalidRequest(900144, "The request body must contain the following parameter: 'grant_type'."));
        }

        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        var grantType = form["grant_type"].ToString();
        if (grantType != "client_credentials")
        {
            return Error(string.IsNullOrEmpty(grantType)
                ? EntraError.InvalidRequest(900144, "The request body must contain the following parameter: 'grant_type'.")
                : EntraError.UnsupportedGrantType(grantType));
        }

        if (!directory.HasTenant(tenant))
        {
            return Error(EntraError.InvalidRequest(90002, $"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud."));
        }

        var (clientId, secret) = ClientCredentials(context, form);
        if (string.IsNullOrEmpty(clientId))
        {
            return Error(EntraError.InvalidRequest(900144, "The request body must contain the following parameter: 'client_id'."));
        }

        var app = directory.Find(tenant, clientId);
        if (app is null)
        {
            return Error(EntraError.UnauthorizedClient(700016, $"Application with identifier '{clientId}' was not found in the directory '{tenant}'. This can happen if the application has not been installed by the administrator of the tenant."));
        }

        var scope = form["scope"].ToString().Trim();
        if (string.IsNullOrEmpty(scope))
        {
            return Error(EntraError.InvalidRequest(900144, "The request body must contain the following parameter: 'scope'."));
        }

        if (!scope.EndsWith("/.default", StringComparison.Ordinal) || scope.Contains(' ', StringComparison.Ordinal))
        {
            return Error(EntraError.InvalidScope(1002012, $"The provided value for scope {scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI)."));
        }

        var resource = scope[..^"/.default".Length];
        var audience = _resources.FirstOrDefault(r => string.Equals(r.TrimEnd('/'), resource.TrimEnd('/'), StringComparison.OrdinalIgnoreCase));
        if (audience is null)
        {
            return Error(EntraError.InvalidResource(500011, $"The resource principal named {resource} was not found in the tenant named {tenant}. This can happen if the application has not been installed by the administrator of the tenant."));
        }

        var tokenEndpoint = $"{context.Request.Scheme}://{context.Request.Host}/{tenant}/oauth2/v2.0/token";
        var failure = await authenticator.AuthenticateAsync(app, secret, form["client_assertion_type"], form["client_assertion"], tokenEndpoint);
        if (failure is not null)
        {
            return Error(failure);
        }

        context.Response.Headers.CacheControl = "no-store, no-cache";
        context.Response.Headers.Pragma = "no-cache";
        return Results.Json(
            new TokenResponse("Bearer", issuer.LifetimeSeconds, issuer.LifetimeSeconds, issuer.Issue(app, audience)),
            EmulatorJsonContext.Default.TokenResponse);
    }

    public IResult OpenIdConfiguration(HttpContext context, string tenant)
    {
        ArgumentNullException.ThrowIfNull(context);
        var authority = $"{context.Request.Scheme}://{context.Request.Host}/{tenant}";
        return Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = authority + "/v2.0",
            ["authorization_endpoint"] = authority + "/oauth2/v2.0/authorize",
            ["token_endpoint"] = authority + "/oauth2/v2.0/token",
            ["jwks_uri"] = authority + "/discovery/v2.0/keys",
            ["token_endpoint_auth_methods_supported"] = AuthMethods,
            ["response_types_supported"] = ResponseTypes,
            ["subject_types_supported"] = SubjectTypes,
            ["id_token_signing_alg_values_supported"] = SigningAlgorithms,
            ["scopes_supported"] = Scopes,
            ["tenant_region_scope"] = "NA",
        }, EmulatorJsonContext.Default.DictionaryStringObject);
    }

    public IResult Keys() => Results.Json(issuer.Jwks());

    private static (string? ClientId, string? Secret) ClientCredentials(HttpContext context, IFormCollection form)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
                var colon = pair.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    return (Uri.UnescapeDataString(pair[..colon]), Uri.UnescapeDataString(pair[(colon + 1)..]));
                }
            }
            catch (FormatException)
            {
                return (null, null);
            }
        }

        return (form["client_id"].ToString(), form["client_secret"].ToString());
    }

    private IResult Error(EntraError error) =>
        Results.Json(error.ToBody(time.GetUtcNow()), EmulatorJsonContext.Default.DictionaryStringObject, statusCode: error.StatusCode);
}
