using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IpEnrich.Core.Extraction;

/// <summary>An IPv4 or IPv6 network, for the allow and deny lists.</summary>
public readonly record struct CidrRange(IpValue Network, int PrefixLength)
{
    public bool Contains(IpValue ip)
    {
        if (ip.IsV4 != Network.IsV4)
        {
            return false;
        }

        var width = ip.IsV4 ? 32 : 128;
        if (PrefixLength == 0)
        {
            return true;
        }

        var shift = width - PrefixLength;
        return (ip.Bits >> shift) == (Network.Bits >> shift);
    }

    public static bool TryParse(string? text, [NotNullWhen(true)] out CidrRange? range)
    {
        range = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text.Trim() : text[..slash].Trim();
        if (!IPAddress.TryParse(addressText, out var address))
        {
            return false;
        }

        var ip = IpValue.FromAddress(address);
        var width = ip.IsV4 ? 32 : 128;
        var prefix = width;
        if (slash >= 0)
        {
            if (!int.TryParse(text.AsSpan(slash + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out prefix)
                || prefix > width)
            {
                return false;
            }

            // "::ffff:10.0.0.0/104" names an IPv4 network.
            if (address.AddressFamily == AddressFamily.InterNetworkV6 && ip.IsV4)
            {
                prefix -= 96;
                if (prefix < 0)
                {
                    return false;
                }
            }
        }

        range = new CidrRange(ip, prefix);
        return true;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Network}/{PrefixLength}");
}
