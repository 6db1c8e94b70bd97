using System.Security.Cryptography.X509Certificates;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Options;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Identity.Client;

namespace IpEnrich.Defender.Auth;

/// <summary>
/// Client-credentials tokens from MSAL's confidential client, with MSAL's own app token cache (no second cache):
/// a client secret, a certificate (PFX or PEM) or a federated token file re-read on every acquisition as it rotates.
/// </summary>
public sealed partial class MsalAccessTokenSource : IAccessTokenSource, IDisposable
{
    private readonly IConfidentialClientApplication _app;
    private readonly string[] _scopes;
    private readonly ILogger<MsalAccessTokenSource> _logger;
    // One acquisition at a time: a burst of requests on a cold (or expiring) cache costs one round-trip to the identity
    // provider, not one per request; every later caller in the queue is served from MSAL's cache.
    private readonly SemaphoreSlim _acquire = new(1, 1);
    private volatile string? _current;
    private readonly DefenderApiStatus _status;
    private readonly string _clientId;
    private readonly MsalLogBridge _msalLog;

    /// <param name="scope">The scope to ask for; the Defender API's (<c>Defender:Scope</c>) when null.</param>
    public MsalAccessTokenSource(IOptions<DefenderOptions> options, IMsalHttpClientFactory httpClientFactory, DefenderApiStatus status,
        ILogger<MsalAccessTokenSource> logger, string? scope = null, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var o = options.Value;
        _status = status;
        _clientId = o.ClientId ?? string.Empty;
        var endpoints = o.ResolveEndpoints();
        _scopes = [scope ?? endpoints.Scope];
        _logger = logger;
        _msalLog = new MsalLogBridge(logger, time ?? TimeProvider.System);

        var authority = new Uri($"{endpoints.AuthorityHost}/{o.TenantId}");
        var builder = ConfidentialClientApplicationBuilder.Create(o.ClientId)
            .WithHttpClientFactory(httpClientFactory)
            .WithLogging(_msalLog, enablePiiLogging: false);
        builder = DefenderCloud.IsMicrosoftAuthority(authority)
            ? builder.WithAuthority(authority.ToString())
            // A custom authority (the emulator, a sovereign proxy): no instance discovery or validation against Microsoft's list.
            : builder.WithAuthority(authority.ToString(), validateAuthority: false).WithInstanceDiscovery(false);

        if (!string.IsNullOrEmpty(o.ClientSecret))
        {
            builder = builder.WithClientSecret(o.ClientSecret);
        }
        else if (!string.IsNullOrEmpty(o.CertificatePath))
        {
            builder = builder.WithCertificate(LoadCertificate(o.CertificatePath, o.CertificatePassword), o.SendX5C);
        }
        else
        {
            var tokenFile = o.FederatedTokenFile!;
            builder = builder.WithClientAssertion(async (AssertionRequestOptions request) =>
                (await File.ReadAllTextAsync(tokenFile, request.CancellationToken)).Trim());
        }

        _app = builder.Build();
    }

    public Task<string> GetTokenAsync(CancellationToken cancellationToken) => AcquireAsync(rejected: null, cancellationToken);

    public Task<string> RefreshAsync(string rejected, CancellationToken cancellationToken) => AcquireAsync(rejected, cancellationToken);

    private async Task<string> AcquireAsync(string? rejected, CancellationToken cancellationToken)
    {
        await _acquire.WaitAsync(cancellationToken);
        try
        {
            var current = _current;
            // Another request already replaced the rejected token: use its result rather than refreshing again.
            return rejected is not null && current is not null && !string.Equals(current, rejected, StringComparison.Ordinal)
                ? current
                : await AcquireFromMsalAsync(force: rejected is not null, cancellationToken);
        }
        finally
        {
            _acquire.Release();
        }
    }

    private async Task<string> AcquireFromMsalAsync(bool force, CancellationToken cancellationToken)
    {
        AuthenticationResult result;
        try
        {
            result = await _app.AcquireTokenForClient(_scopes).WithForceRefresh(force).ExecuteAsync(cancellationToken);
        }
        catch (MsalException ex)
        {
            RecordFailure(ex);
            throw;
        }
        catch (HttpRequestException ex) when (DefenderApiStatus.IsTlsFailure(ex))
        {
            // MSAL lets a failed handshake with the authority through as it is.
            _status.Failed($"TLS to the authority failed for Defender:ClientId {_clientId}: {DefenderApiStatus.TlsReason(ex)}");
            ex.Data[DefenderApiStatus.RecordedKey] = true;
            throw;
        }

        if (result.AuthenticationResultMetadata.TokenSource != TokenSource.Cache)
        {
            LogTokenAcquired(_logger, result.AuthenticationResultMetadata.TokenSource, result.ExpiresOn);
        }

        _msalLog.Succeeded();
        _current = result.AccessToken;
        return result.AccessToken;
    }

    // An outage of the authority (429, 5xx) says nothing about this identity; a rejected credential or a bad TLS chain does.
    private void RecordFailure(MsalException ex)
    {
        if (DefenderApiStatus.IsTlsFailure(ex))
        {
            _status.Failed($"TLS to the authority failed for Defender:ClientId {_clientId}: {DefenderApiStatus.TlsReason(ex)}");
        }
        else if (ex is not MsalServiceException { StatusCode: 0 or 429 or >= 500 })
        {
            _status.Failed($"authentication failed for Defender:ClientId {_clientId} ({DefenderApiStatus.Describe(ex)})");
        }
    }

    internal static X509Certificate2 LoadCertificate(string path, string? password)
    {
        var extension = Path.GetExtension(path);
        if (extension.Equals(".pfx", StringComparison.OrdinalIgnoreCase) || extension.Equals(".p12", StringComparison.OrdinalIgnoreCase))
        {
            return X509CertificateLoader.LoadPkcs12FromFile(path, password, X509KeyStorageFlags.EphemeralKeySet);
        }

        // PEM holding the certificate and its (optionally encrypted) private key.
        var certificate = string.IsNullOrEmpty(password)
            ? X509Certificate2.CreateFromPemFile(path)
            : X509Certificate2.CreateFromEncryptedPemFile(path, password);
        return certificate.HasPrivateKey ? certificate : throw new InvalidOperationException($"Defender:CertificatePath '{path}' holds no private key");
    }

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Information, Message = "Defender access token acquired from {Source}, expires {ExpiresOn:O}")]
    private static partial void LogTokenAcquired(ILogger logger, TokenSource source, DateTimeOffset expiresOn);

    public void Dispose() => _acquire.Dispose();
}
