using System.Security.Cryptography;
using System.Text;
using IpEnrich.Emulator.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace IpEnrich.Emulator.Tokens;

/// <summary>Issues and validates the emulator's RS256 access tokens, shaped like Entra ID v1 app tokens.</summary>
public sealed class TokenIssuer : IDisposable
{
    public const string IpReadAll = "Ip.Read.All";
    public const string ThreatHuntingReadAll = "ThreatHunting.Read.All";

    private readonly RSA _rsa = RSA.Create(2048);
    private readonly RsaSecurityKey _key;
    private readonly JsonWebTokenHandler _handler = new() { SetDefaultTimesOnTokenCreation = false };
    private readonly TimeProvider _time;
    private readonly int _lifetimeSeconds;

    // Validated tokens by their text: the signature is checked once, the lifetime on every use.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (AccessToken Token, DateTime NotBefore, DateTime Expires)> _validated = new(StringComparer.Ordinal);

    public TokenIssuer(TimeProvider time, EmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _time = time;
        _lifetimeSeconds = options.TokenLifetimeSeconds;
        var parameters = _rsa.ExportParameters(false);
        _key = new RsaSecurityKey(_rsa) { KeyId = Base64UrlEncoder.Encode(SHA256.HashData(parameters.Modulus!)[..12]) };
    }

    public int LifetimeSeconds => _lifetimeSeconds;

    public static string IssuerFor(string tenantId) => $"https://sts.windows.net/{tenantId}/";

    public string Issue(AppRegistration app, string audience)
    {
        ArgumentNullException.ThrowIfNull(app);
        var now = _time.GetUtcNow().UtcDateTime;
        var objectId = DeterministicGuid(app.TenantId + "/" + app.ClientId).ToString();
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = IssuerFor(app.TenantId),
            Audience = audience,
            IssuedAt = now,
            NotBefore = now.AddMinutes(-5),
            Expires = now.AddSeconds(_lifetimeSeconds),
            SigningCredentials = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256),
            Claims = new Dictionary<string, object>
            {
                ["tid"] = app.TenantId,
                ["appid"] = app.ClientId,
                ["appidacr"] = "1",
                ["idp"] = IssuerFor(app.TenantId),
                ["oid"] = objectId,
                ["sub"] = objectId,
                ["roles"] = app.Roles.ToArray(),
                ["ver"] = "1.0",
            },
        });
    }

    /// <summary>Validates a bearer token: signature, issuer shape, audience and lifetime on the emulator's clock.</summary>
    public async Task<AccessToken?> ValidateAsync(string token, IEnumerable<string> audiences)
    {
        ArgumentNullException.ThrowIfNull(token);
        if (_validated.TryGetValue(token, out var cached))
        {
            return IsWithin(cached.NotBefore, cached.Expires) ? cached.Token : null;
        }

        var result = await _handler.ValidateTokenAsync(token, new TokenValidationParameters
        {
            IssuerSigningKey = _key,
            ValidateIssuerSigningKey = true,
            ValidAudiences = audiences,
            IssuerValidator = (issuer, _, _) => issuer.StartsWith("https://sts.windows.net/", StringComparison.Ordinal)
                ? issuer : throw new SecurityTokenInvalidIssuerException("unexpected issuer"),
            LifetimeValidator = (notBefore, expires, _, _) => IsWithin(notBefore, expires),
            RequireExpirationTime = true,
            RequireSignedTokens = true,
        });
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt)
        {
            return null;
        }

        jwt.TryGetPayloadValue<string[]>("roles", out var roles);
        var accessToken = new AccessToken(jwt.GetPayloadValue<string>("tid"), jwt.GetPayloadValue<string>("appid"), roles ?? []);
        if (_validated.Count > 10_000)
        {
            _validated.Clear(); // bounded: a flood of distinct tokens cannot grow memory
        }

        _validated[token] = (accessToken, jwt.ValidFrom, jwt.ValidTo);
        return accessToken;
    }

    public object Jwks()
    {
        var p = _rsa.ExportParameters(false);
        return new
        {
            keys = new[]
            {
                new { kty = "RSA", use = "sig", alg = "RS256", kid = _key.KeyId, n = Base64UrlEncoder.Encode(p.Modulus), e = Base64UrlEncoder.Encode(p.Exponent) },
            },
        };
    }

    internal bool IsWithin(DateTime? notBefore, DateTime? expires) => IsWithin(notBefore, expires, TimeSpan.Zero);

    /// <param name="skew">Tolerance for clocks that differ between the client and the emulator.</param>
    internal bool IsWithin(DateTime? notBefore, DateTime? expires, TimeSpan skew)
    {
        var now = _time.GetUtcNow().UtcDateTime;
        return (notBefore is null || now >= notBefore.Value - skew) && expires is { } e && now < e + skew;
    }

    public void Dispose() => _rsa.Dispose();

    // A stable object id per app, like Entra's service principal id; not a security control.
    private static Guid DeterministicGuid(string text) => new(SHA256.HashData(Encoding.UTF8.GetBytes(text))[..16]);
}

/// <summary>The claims of a valid access token that the API needs.</summary>
public sealed record AccessToken(string TenantId, string AppId, IReadOnlyList<string> Roles);
