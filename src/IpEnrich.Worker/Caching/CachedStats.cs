using System.Globalization;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Caching;

/// <summary>
/// A cached API answer (found, not seen or invalid; errors are never cached) with when it was fetched and until when
/// it is fresh. Stored in a compact versioned text form: <c>1|f|63515|firstMs|lastMs|fetchedMs|freshUntilMs</c>, with
/// <c>|h</c> appended for an answer computed by advanced hunting.
/// </summary>
public sealed record CachedStats(IpLookupStatus Status, long Prevalence, DateTimeOffset? FirstSeen, DateTimeOffset? LastSeen,
    DateTimeOffset FetchedAt, DateTimeOffset FreshUntil, bool ViaHunting = false)
{
    private const string Version = "1";

    // An L1 hit hands out the same answer for every alert that names the address: built once, not per hit
    // (so no `with` on this record: the copy would keep the original's answer).
    private readonly IpLookupResult _fromCache = Build(Status, Prevalence, FirstSeen, LastSeen, FetchedAt, LookupSource.Cache, ViaHunting);

    public bool IsFreshAt(DateTimeOffset now) => now < FreshUntil;

    public IpLookupResult ToResult(LookupSource source) =>
        source == LookupSource.Cache ? _fromCache : Build(Status, Prevalence, FirstSeen, LastSeen, FetchedAt, source, ViaHunting);

    private static IpLookupResult Build(IpLookupStatus status, long prevalence, DateTimeOffset? firstSeen, DateTimeOffset? lastSeen,
        DateTimeOffset fetchedAt, LookupSource source, bool viaHunting)
    {
        var result = status switch
        {
            IpLookupStatus.Found => IpLookupResult.Found(new IpStats(prevalence, firstSeen, lastSeen), source, fetchedAt),
            IpLookupStatus.Invalid => IpLookupResult.Invalid(source, fetchedAt),
            _ => IpLookupResult.NotSeen(source, fetchedAt),
        };
        return viaHunting ? result.AsHunted() : result;
    }

    public string Encode()
    {
        var text = string.Join('|',
            Version,
            Status switch { IpLookupStatus.Found => "f", IpLookupStatus.Invalid => "i", _ => "n" },
            Prevalence.ToString(CultureInfo.InvariantCulture),
            Millis(FirstSeen),
            Millis(LastSeen),
            Millis(FetchedAt),
            Millis(FreshUntil));
        return ViaHunting ? text + "|" + HuntingMark : text;
    }

    private const string HuntingMark = "h";

    /// <summary>Null for anything not written by this version (another version, corruption): a miss, not an error.</summary>
    public static CachedStats? Decode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        var parts = text.Split('|');
        var viaHunting = parts.Length == 8 && parts[7] == HuntingMark;
        if ((parts.Length != 7 && !viaHunting) || parts[0] != Version
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var prevalence)
            || !TryTime(parts[5], out var fetched) || !TryTime(parts[6], out var freshUntil)
            || !TryOptionalTime(parts[3], out var first) || !TryOptionalTime(parts[4], out var last))
        {
            return null;
        }

        IpLookupStatus? status = parts[1] switch
        {
            "f" => IpLookupStatus.Found,
            "n" => IpLookupStatus.NotSeen,
            "i" => IpLookupStatus.Invalid,
            _ => null,
        };
        return status is null ? null : new CachedStats(status.Value, prevalence, first, last, fetched!.Value, freshUntil!.Value, viaHunting);
    }

    private static string Millis(DateTimeOffset? time) =>
        time?.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) ?? string.Empty;

    private static bool TryTime(string text, out DateTimeOffset? time)
    {
        time = null;
        if (!long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var ms))
        {
            return false;
        }

        time = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }

    private static bool TryOptionalTime(string text, out DateTimeOffset? time)
    {
        time = null;
        return text.Length == 0 || TryTime(text, out time);
    }
}
