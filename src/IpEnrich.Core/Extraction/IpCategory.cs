namespace IpEnrich.Core.Extraction;

/// <summary>Address classes that the default filters skip (docs/architecture.md §7). Private ranges are ordinary on purpose.</summary>
public enum IpCategory
{
    Ordinary,
    Loopback,
    Unspecified,
    Multicast,
    LinkLocal,
    Broadcast,
}

public static class IpClassifier
{
    private static readonly UInt128 V6Loopback = 1;

    public static IpCategory Classify(IpValue ip)
    {
        if (ip.IsV4)
        {
            var v4 = (uint)ip.Bits;
            return v4 switch
            {
                0 => IpCategory.Unspecified,
                uint.MaxValue => IpCategory.Broadcast,
                _ when v4 >> 24 == 127 => IpCategory.Loopback,
                _ when v4 >> 16 == 0xA9FE => IpCategory.LinkLocal,
                _ when v4 >> 28 == 0xE => IpCategory.Multicast,
                _ => IpCategory.Ordinary,
            };
        }

        var top = (ushort)(ip.Bits >> 112);
        if (ip.Bits == UInt128.Zero)
        {
            return IpCategory.Unspecified;
        }

        if (ip.Bits == V6Loopback)
        {
            return IpCategory.Loopback;
        }

        if ((top & 0xFF00) == 0xFF00)
        {
            return IpCategory.Multicast;
        }

        return (top & 0xFFC0) == 0xFE80 ? IpCategory.LinkLocal : IpCategory.Ordinary;
    }

    /// <summary>The snake_case reason written into the output for a skipped address of this class.</summary>
    public static string ReasonFor(IpCategory category) => category switch
    {
        IpCategory.Loopback => "loopback",
        IpCategory.Unspecified => "unspecified",
        IpCategory.Multicast => "multicast",
        IpCategory.LinkLocal => "link_local",
        IpCategory.Broadcast => "broadcast",
        _ => "ordinary",
    };
}
