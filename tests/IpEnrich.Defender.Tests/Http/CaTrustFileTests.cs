using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Net;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Http;
using IpEnrich.Defender.Tests.Support;
using IpEnrich.Testing;

namespace IpEnrich.Defender.Tests.Http;

/// <summary>The CA trust file follows the file on disk: a replaced CA is used, a half-written one is not.</summary>
public sealed class CaTrustFileTests
{
    private static X509Certificate2 SelfSigned(string name)
    {
        using var key = ECDsa.Create();
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static void Write(string path, string text, int minute)
    {
        File.WriteAllText(path, text);
        // An explicit stamp, so the change is seen however coarse the file system's clock is.
        File.SetLastWriteTimeUtc(path, new DateTime(2026, 12, 1, 0, minute, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void A_replaced_file_is_read_again_and_a_broken_one_keeps_the_last_good_root()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var first = SelfSigned("first-ca");
            using var second = SelfSigned("second-ca");
            Write(path, first.ExportCertificatePem(), 1);
            var trust = new CaTrustFile(path);
            Assert.Equal(first.Thumbprint, trust.Root.Thumbprint);

            Write(path, second.ExportCertificatePem(), 2);
            Assert.Equal(second.Thumbprint, trust.Root.Thumbprint);

            Write(path, "-----BEGIN CERTIFICATE-----\nMIIB", 3);
            Assert.Equal(second.Thumbprint, trust.Root.Thumbprint);

            File.Delete(path);
            Assert.Equal(second.Thumbprint, trust.Root.Thumbprint);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_missing_file_fails_at_construction()
    {
        Assert.ThrowsAny<IOException>(() => new CaTrustFile("/nonexistent/ca.pem"));
    }

    [Fact]
    [Trait("Category", "Integration")]
    public async Task A_replaced_ca_file_is_trusted_by_the_running_client()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var settings = emulator.DefenderSettings();
        settings["Defender:Resilience:MaxRetries"] = "0";
        var path = settings["Defender:CaCertificatePath"]!;
        var emulatorCa = await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken);
        using var other = SelfSigned("other-ca");
        Write(path, other.ExportCertificatePem(), 1);
        await using var harness = new DefenderHarness(settings, emulator.Time);
        var ip = IPAddress.Parse("198.51.100.1");

        Assert.IsType<IpStatsResult.Failed>(await harness.Client.GetIpStatsAsync(ip, 720, TestContext.Current.CancellationToken));
        Assert.StartsWith("TLS to the authority failed", harness.Get<DefenderApiStatus>().Problem, StringComparison.Ordinal);

        Write(path, emulatorCa, 2);
        Assert.IsType<IpStatsResult.NotSeen>(await harness.Client.GetIpStatsAsync(ip, 720, TestContext.Current.CancellationToken));
        Assert.Null(harness.Get<DefenderApiStatus>().Problem);
    }
}
