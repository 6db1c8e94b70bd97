using System.Security.Cryptography.X509Certificates;
using IpEnrich.Defender.Http;

namespace IpEnrich.Testing;

/// <summary>An HttpClient handler that trusts exactly one root certificate (the emulator's), as the product does.</summary>
public static class TrustedTls
{
    public static SocketsHttpHandler Handler(X509Certificate2 root)
    {
        var handler = new SocketsHttpHandler();
        handler.SslOptions.RemoteCertificateValidationCallback = ServerCertificateTrust.TrustRoot(root);
        return handler;
    }
}
