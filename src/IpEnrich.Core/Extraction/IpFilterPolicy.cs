namespace IpEnrich.Core.Extraction;

/// <summary>Which addresses are looked up: default class filters and the CIDR allow/deny lists.</summary>
public sealed class IpFilterPolicy
{
    private readonly bool[] _skipCategory;
    private readonly CidrRange[] _allow;
    private readonly CidrRange[] _deny;

    public IpFilterPolicy(ExtractionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _skipCategory = new bool[Enum.GetValues<IpCategory>().Length];
        _skipCategory[(int)IpCategory.Loopback] = options.SkipLoopback;
        _skipCategory[(int)IpCategory.Unspecified] = options.SkipUnspecified;
        _skipCategory[(int)IpCategory.Multicast] = options.SkipMulticast;
        _skipCategory[(int)IpCategory.LinkLocal] = options.SkipLinkLocal;
        _skipCategory[(int)IpCategory.Broadcast] = options.SkipBroadcast;
        _allow = ParseAll(options.AllowCidrs, "Extraction:AllowCidrs");
        _deny = ParseAll(options.DenyCidrs, "Extraction:DenyCidrs");
    }

    /// <summary>The reason this address is not looked up, or null when it is.</summary>
    public string? SkipReason(InternedIp ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        return SkipReason(ip.Value, ip.Category);
    }

    /// <summary>The same, for an address as a value and its category.</summary>
    public string? SkipReason(IpValue value, IpCategory category)
    {
        if (_skipCategory[(int)category])
        {
            return IpClassifier.ReasonFor(category);
        }

        foreach (var range in _deny)
        {
            if (range.Contains(value))
            {
                return "denied";
            }
        }

        if (_allow.Length == 0)
        {
            return null;
        }

        foreach (var range in _allow)
        {
            if (range.Contains(value))
            {
                return null;
            }
        }

        return "not_allowed";
    }

    private static CidrRange[] ParseAll(IList<string> texts, string setting)
    {
        var ranges = new CidrRange[texts.Count];
        for (var i = 0; i < texts.Count; i++)
        {
            if (!CidrRange.TryParse(texts[i], out var range))
            {
                throw new ArgumentException($"{setting}: '{texts[i]}' is not an IP address or CIDR network (e.g. 10.0.0.0/8)");
            }

            ranges[i] = range.Value;
        }

        return ranges;
    }
}
