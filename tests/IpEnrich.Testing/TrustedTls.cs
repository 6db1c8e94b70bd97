using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace IpEnrich.Testing;

/// <summary>An HttpClient handler that trusts exactly one root certificate (the emulator's), nothing blanket.</summary>
public static class TrustedTls
{
    public static SocketsHttpHandler Handler(X509Certificate2 root) => new()
    {
        SslOptions = new SslClientAuthenticationOptions
        {
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null)
                {
                    return false;
                }

                if (errors == SslPolicyErrors.None)
                {
                    return true;
                }

                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(root);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == SslPolicyErrors.None
                    && chain.Build(new X509Certificate2(certificate));
            },
        },
    };
}
