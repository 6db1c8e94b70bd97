using System.Net;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Worker.Caching;

/// <summary>
/// One address's cache entry at one look-back. <see cref="Text"/> names it in Redis
/// (<c>ipenrich:v1:{profile}:{lookBackHours}:{ip}</c>); <see cref="L1"/> names it in the in-process tier, which every
/// alert reads and so hashes plain values rather than the text.
/// </summary>
public sealed class CacheKey(string text, L1Key l1)
{
    public string Text { get; } = text;

    public L1Key L1 { get; } = l1;

    public override string ToString() => Text;
}

/// <summary>An address and a look-back as the in-process tier's key.</summary>
public readonly record struct L1Key(IpValue Ip, int LookBackHours)
{
    /// <summary>The key of <paramref name="ip"/>: both spellings of an IPv4-mapped address name one entry.</summary>
    public static L1Key Of(IPAddress ip, int lookBackHours) => new(IpValue.FromAddress(ip), lookBackHours);
}
