using System.Buffers.Binary;
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

    public override string ToString() => ToIPAddress().ToString();
}
