using System.Net;
using System.Net.Sockets;
using System.Text;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Core.Tests.Extraction;

public sealed class IpTextScannerTests
{
    private static string[] Scan(string text) => ScannedAddresses.Of(text);

    [Theory]
    [InlineData("connection from 81.2.69.144.", "81.2.69.144")]
    [InlineData("[200.31.19.206] failed", "200.31.19.206")]
    [InlineData("rhost=222.186.30.76  user=root", "222.186.30.76")]
    [InlineData("host 192.168.2.21:8000", "192.168.2.21")]
    [InlineData("sip:1.1.1.1:5060", "1.1.1.1")]
    [InlineData("outside:100.66.19.254/80 (100.66.19.254/80)", "100.66.19.254", "100.66.19.254")]
    [InlineData("DownloadFile('http://127.0.0.1/1.exe')", "127.0.0.1")]
    [InlineData("GET http://[2001:db8::1]:8443/x", "2001:db8::1")]
    [InlineData("iface fe80::1%eth0 up", "fe80::1")]
    [InlineData("mapped ::ffff:10.0.0.5 here", "10.0.0.5")]
    [InlineData("fe80:0000:0000:0000:fada:0cff:fedc:87f1", "fe80::fada:cff:fedc:87f1")]
    [InlineData("1.2.3[.]4 and 5[.]6[.]7[.]8 and 9(.)9(.)9(.)9 and 10[dot]0[dot]0[dot]1", "1.2.3.4", "5.6.7.8", "9.9.9.9", "10.0.0.1")]
    [InlineData("hxxp://198[.]51[.]100[.]23/stage2", "198.51.100.23")]
    [InlineData("list: 10.0.0.1, 10.0.0.2; \"10.0.0.3\"", "10.0.0.1", "10.0.0.2", "10.0.0.3")]
    [InlineData("a 2001:4860:0:2001::68.", "2001:4860:0:2001::68")]
    [InlineData("010.001.002.003", "10.1.2.3")]
    [InlineData("1.2.3.4/../../machines", "1.2.3.4")]
    public void Finds_and_canonicalizes(string text, params string[] expected) => Assert.Equal(expected, Scan(text));

    [Theory]
    [InlineData("users -V1.0.0.2")]
    [InlineData("1809 (10.0.17763.2686)")]
    [InlineData("Chrome/67.0.3396.99 Safari")]
    [InlineData("DeviceVersion 6.2.0.74484")]
    [InlineData("OID 1.3.6.1.4.1.311.21.8")]
    [InlineData("3.0.168.192.in-addr.arpa")]
    [InlineData("ip-10-0-0-219.us-west-1.compute.internal")]
    [InlineData("200.31.19-206.static.impsat.com.co")]
    [InlineData("Net-99-99-99.Net_99_0_0_0")]
    [InlineData("0.0.0.0/0 and 10.0.0.0/8 and 2001:db8::/32")]
    [InlineData("serial 5C:9C:E1:09:78:87:F8:07")]
    [InlineData("20:7c:e5:96:b0:4e:ce:a4:db:e4:aa:29:e8:90:98:07")]
    [InlineData("mac 52:54:00:36:3e:ff")]
    [InlineData("2023-04-17T10:20:30.123456+0000")]
    [InlineData("loss rate above 88.306% Entity ID: 302.0")]
    [InlineData("Foo::Bar and std::vector and Bad::Add")]
    [InlineData("range 10.0.0.1-10.0.0.5")]
    [InlineData("1.2.3.4.5")]
    [InlineData("256.1.1.1 and 1.2.3")]
    [InlineData("ver 1.0.2k Lotus-1-2-3 16.amzn2.0.3")]
    [InlineData("community 1:NLm1MbaBR6humQxEQI2Ai7h/XiI=")]
    [InlineData("T1059.001 and 1587082700.80945")]
    public void Ignores_look_alikes(string text) => Assert.Empty(Scan(text));

    [Fact]
    public void Generated_ipv4_in_every_context_is_found_canonical()
    {
        var random = new Random(20261123);
        string[] templates = ["{0}", "src={0}", "from {0}.", "http://{0}/a", "{0}:443", "[{0}]", "'{0}'", "x {0}, y", "{d}", "cmd /c ping {0} -n 1", "user@{0}"];
        for (var n = 0; n < 2000; n++)
        {
            var bytes = new byte[4];
            random.NextBytes(bytes);
            var ip = new IPAddress(bytes);
            var template = templates[n % templates.Length];
            var text = template == "{d}"
                ? ip.ToString().Replace(".", "[.]", StringComparison.Ordinal)
                : string.Format(System.Globalization.CultureInfo.InvariantCulture, template, ip);
            Assert.Equal([ip.ToString()], Scan(text));
        }
    }

    [Fact]
    public void Generated_ipv6_in_every_context_is_found_canonical()
    {
        var random = new Random(7);
        for (var n = 0; n < 2000; n++)
        {
            var bytes = new byte[16];
            random.NextBytes(bytes);
            // Runs of zero groups exercise "::" compression.
            for (var g = random.Next(0, 8); g < 8 && random.Next(3) == 0; g++)
            {
                bytes[2 * g] = 0;
                bytes[(2 * g) + 1] = 0;
            }

            var ip = new IPAddress(bytes);
            var text = (n % 5) switch
            {
                0 => $"addr {ip}",
                1 => $"http://[{ip}]:8080/path",
                2 => $"[{ip}]:53",
                3 => $"dst={ip}.",
                _ => $"\"{ip}\"",
            };
            var expected = ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4().ToString() : ip.ToString();
            var found = Scan(text);
            if (IsAllTwoDigitGroups(ip))
            {
                Assert.Empty(found);
                continue;
            }

            Assert.Equal([expected], found);
        }
    }

    [Fact]
    public void Generated_version_strings_and_timestamps_are_never_taken()
    {
        var random = new Random(42);
        for (var n = 0; n < 2000; n++)
        {
            var text = (n % 4) switch
            {
                0 => $"v{random.Next(0, 256)}.{random.Next(0, 256)}.{random.Next(0, 256)}.{random.Next(0, 256)}",
                1 => $"{random.Next(0, 100)}.{random.Next(0, 100)}.{random.Next(1000, 99999)}.{random.Next(0, 9999)}",
                2 => $"{random.Next(1, 256)}.{random.Next(0, 256)}.{random.Next(0, 256)}.{random.Next(0, 256)}.{random.Next(0, 256)}",
                _ => $"2026-{random.Next(1, 13):00}-{random.Next(1, 29):00}T{random.Next(0, 24):00}:{random.Next(0, 60):00}:{random.Next(0, 60):00}.{random.Next(0, 999999):000000}Z",
            };
            Assert.Empty(Scan(text));
        }
    }

    [Fact]
    public void Generated_cidrs_are_not_hosts()
    {
        var random = new Random(3);
        for (var n = 0; n < 500; n++)
        {
            var bytes = new byte[4];
            random.NextBytes(bytes);
            Assert.Empty(Scan($"allow {new IPAddress(bytes)}/{random.Next(0, 33)} only"));
        }
    }

    [Fact]
    public void Unspecified_address_counts_only_as_a_whole_value()
    {
        Assert.Equal(["::"], Scan("::"));
        Assert.Empty(Scan("Loss::Too_Little"));
    }

    private static bool IsAllTwoDigitGroups(IPAddress ip)
    {
        if (ip.AddressFamily != AddressFamily.InterNetworkV6 || ip.IsIPv4MappedToIPv6)
        {
            return false;
        }

        var text = ip.ToString();
        return !text.Contains("::", StringComparison.Ordinal) && text.Split(':').All(g => g.Length == 2);
    }
}
