using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IpEnrich.Emulator.Tls;

/// <summary>
/// The emulator's TLS certificate, generated at start: MSAL rejects any authority that is not https, so the emulator
/// serves real TLS and clients trust this certificate (written as PEM with <c>--cert-out</c>) as their CA.
/// </summary>
public static class SelfSignedCertificate
{
    public static X509Certificate2 Create(TimeProvider time, IEnumerable<string>? extraDnsNames = null)
    {
        ArgumentNullException.ThrowIfNull(time);
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=IpEnrich Defender API emulator", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        foreach (var name in extraDnsNames ?? [])
        {
            names.AddDnsName(name);
        }

        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.IPv6Loopback);
        request.CertificateExtensions.Add(names.Build());
        // Its own CA, so a client can trust exactly this certificate as a root (Defender:CaCertificatePath).
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment | X509KeyUsageFlags.KeyCertSign, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = time.GetUtcNow();
        return request.CreateSelfSigned(now.AddDays(-1), now.AddDays(90));
    }

    public static void WritePem(X509Certificate2 certificate, string path)
    {
        ArgumentNullException.ThrowIfNull(certificate);
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }

        File.WriteAllText(path, certificate.ExportCertificatePem() + "\n");
    }
}
