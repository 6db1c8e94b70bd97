using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// An IP address as a plain value (no allocation), used while scanning and for de-duplication.
/// IPv4-mapped IPv6 addresses are stored as IPv4 so both spellings de-duplicate to one address.
/// </summary>
public readonly record struct IpValue(UInt128 Bits, bool IsV4)
{
    public static IpValue FromV4(uint bits) => new(bits, true);

    public static IpValue FromV6(UInt128 bits) =>
        (bits >> 32) == 0xFFFF ? new IpValue((uint)bits, true) : new IpValue(bits, false);

    public static IpValue FromAddress(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var written);
        return address.AddressFamily == AddressFamily.InterNetwork
            ? FromV4(BinaryPrimitives.ReadUInt32BigEndian(bytes[..written]))
            : FromV6(BinaryPrimitives.ReadUInt128BigEndian(bytes));
    }

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsV4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)Bits);
            return new IPAddress(bytes[..4]);
        }

        BinaryPrimitives.WriteUInt128BigEndian(bytes, Bits);
        return new IPAddress(bytes);
    }

    /// <summary>
    /// Writes an IPv4 address's dotted quad as UTF-8 (at most 15 bytes) without an <see cref="IPAddress"/>; false for
    /// IPv6, whose canonical text (RFC 5952) is <see cref="IPAddress"/>'s.
    /// </summary>
    public bool TryFormatV4(Span<byte> utf8, out int written)
    {
        written = 0;
        if (!IsV4)
        {
            return false;
        }

        var bits = (uint)Bits;
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            if (!((bits >> shift) & 0xFF).TryFormat(utf8[written..], out var digits, provider: CultureInfo.InvariantCulture)
                || (shift > 0 && written + digits >= utf8.Length))
            {
                written = 0;
                return false;
            }

            written += digits;
            if (shift > 0)
            {
                utf8[written++] = (byte)'.';
            }
        }

        return true;
    }

    public override string ToString() => ToIPAddress().ToString();
}
