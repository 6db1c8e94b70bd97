using System.Globalization;
using System.Net;

namespace IpEnrich.Worker.Backlog;

/// <summary>What a wanted lookup asks for: one IP over one look-back; the profile is the backlog's own.</summary>
public readonly record struct LookupTarget(IPAddress Ip, int LookBackHours)
{
    /// <summary>The backlog's name for it: <c>hours|ip</c>.</summary>
    public string Member => string.Create(CultureInfo.InvariantCulture, $"{LookBackHours}|{Ip}");

    public static bool TryParse(string member, out LookupTarget target)
    {
        target = default;
        var bar = member.IndexOf('|', StringComparison.Ordinal);
        if (bar <= 0 || !int.TryParse(member.AsSpan(0, bar), NumberStyles.None, CultureInfo.InvariantCulture, out var hours)
            || !IPAddress.TryParse(member.AsSpan(bar + 1), out var ip))
        {
            return false;
        }

        target = new LookupTarget(ip, hours);
        return true;
    }
}
