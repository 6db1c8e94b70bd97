using System.Net;
using System.Text;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Core.Tests.Extraction;

public sealed class IpValueTests
{
    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("1.2.3.4")]
    [InlineData("10.100.7.255")]
    [InlineData("255.255.255.255")]
    [InlineData("::ffff:198.51.100.7")]
    public void An_ipv4_value_formats_as_its_address_does(string address)
    {
        var parsed = IPAddress.Parse(address);
        var value = IpValue.FromAddress(parsed);
        Span<byte> utf8 = stackalloc byte[15];

        Assert.True(value.TryFormatV4(utf8, out var written));
        Assert.Equal(value.ToIPAddress().ToString(), Encoding.ASCII.GetString(utf8[..written]));
    }

    [Fact]
    public void Ipv6_and_a_buffer_too_short_are_refused()
    {
        Span<byte> utf8 = stackalloc byte[15];
        Assert.False(IpValue.FromAddress(IPAddress.Parse("2001:db8::1")).TryFormatV4(utf8, out var written));
        Assert.Equal(0, written);
        Assert.False(IpValue.FromAddress(IPAddress.Parse("255.255.255.255")).TryFormatV4(utf8[..14], out written));
        Assert.Equal(0, written);
        Assert.True(IpValue.FromAddress(IPAddress.Parse("1.2.3.4")).TryFormatV4(utf8[..7], out written));
        Assert.Equal(7, written);
    }
}
