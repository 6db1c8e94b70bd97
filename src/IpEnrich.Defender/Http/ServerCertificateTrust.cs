using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using IpEnrich.Defender.Options;

namespace IpEnrich.Defender.Http;

/// <summary>
/// TLS server validation for the API and the authority: the system store by default; with
/// <c>Defender:CaCertificatePath</c> additionally that one CA (the emulator's certificate, a private PKI); blanket
/// acceptance only behind the explicit <c>Defender:DangerousAcceptAnyServerCertificate</c> development flag. Connections
/// live at most five minutes, so a replaced CA file is in use within that time (<see cref="CaTrustFile"/>).
/// </summary>
public static class ServerCertificateTrust
{
    public static SocketsHttpHandler CreateHandler(DefenderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            EnableMultipleHttp2Connections = true,
        };

        if (options.DangerousAcceptAnyServerCertificate)
        {
#pragma warning disable CA5359 // explicit, development-only opt-in (Defender:DangerousAcceptAnyServerCertificate), warned about at start
            handler.SslOptions.RemoteCertificateValidationCallback = (_, _, _, _) => true;
#pragma warning restore CA5359
        }
        else if (!string.IsNullOrEmpty(options.CaCertificatePath))
        {
            var trust = new CaTrustFile(options.CaCertificatePath);
            handler.SslOptions.RemoteCertificateValidationCallback = TrustRoot(() => trust.Root);
        }

        return handler;
    }

    /// <summary>Accepts a chain that the system trusts, or that builds to <paramref name="root"/>; host names are always checked.</summary>
    public static RemoteCertificateValidationCallback TrustRoot(X509Certificate2 root) => TrustRoot(() => root);

    /// <summary>As <see cref="TrustRoot(X509Certificate2)"/>, with the root looked up at each handshake (it may rotate).</summary>
    public static RemoteCertificateValidationCallback TrustRoot(Func<X509Certificate2> root) => (_, certificate, _, errors) =>
    {
        if (errors == SslPolicyErrors.None)
        {
            return true;
        }

        if (certificate is null || (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) != SslPolicyErrors.None)
        {
            return false; // a name mismatch or a missing certificate is never excused
        }

        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root());
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        using var leaf = new X509Certificate2(certificate);
        return chain.Build(leaf);
    };
}
