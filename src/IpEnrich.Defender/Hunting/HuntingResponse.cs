using System.Globalization;
using System.Net;
using System.Text.Json;
using IpEnrich.Defender.Client;

namespace IpEnrich.Defender.Hunting;

/// <summary>
/// Reads a <c>huntingQueryResults</c> body. Column names are matched case-insensitively (Graph's documentation
/// shows both cases); datetimes are ISO-8601 UTC with 0–7 fractional digits.
/// </summary>
internal static class HuntingResponse
{
    /// <summary>Statistics per requested IP (absent from the results: not seen), or null with <paramref name="error"/> set.</summary>
    public static Dictionary<IPAddress, IpStatsResult>? Read(JsonDocument body, IReadOnlyList<IPAddress> requested, out string? error)
    {
        ArgumentNullException.ThrowIfNull(body);
        error = null;
        var byIp = new Dictionary<IPAddress, IpStatsResult>();
        foreach (var ip in requested)
        {
            byIp[DefenderIpStatsClient.CanonicalAddress(ip)] = IpStatsResult.NotSeenResult;
        }

        if (!TryGet(body.RootElement, "results", out var results) || results.ValueKind != JsonValueKind.Array)
        {
            error = "malformed hunting answer: no results array";
            return null;
        }

        foreach (var row in results.EnumerateArray())
        {
            if (row.ValueKind != JsonValueKind.Object
                || !TryGet(row, HuntingQuery.IpColumn, out var ipText) || ipText.ValueKind != JsonValueKind.String
                || !IPAddress.TryParse(ipText.GetString(), out var ip)
                || !TryGet(row, HuntingQuery.DevicesColumn, out var devicesValue) || !TryLong(devicesValue, out var devices))
            {
                error = "malformed hunting answer: a row without IP or Devices";
                return null;
            }

            if (!byIp.ContainsKey(DefenderIpStatsClient.CanonicalAddress(ip)))
            {
                continue; // not asked for: never cache what was not requested
            }

            byIp[DefenderIpStatsClient.CanonicalAddress(ip)] = devices == 0
                ? IpStatsResult.NotSeenResult
                : new IpStatsResult.Found(devices, Time(row, HuntingQuery.FirstSeenColumn), Time(row, HuntingQuery.LastSeenColumn));
        }

        return byIp;
    }

    private static bool TryGet(JsonElement element, string name, out JsonElement value)
    {
        foreach (var property in element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                value = property.Value;
                return true;
            }
        }

        value = default;
        return false;
    }

    private static bool TryLong(JsonElement value, out long number) => value.ValueKind switch
    {
        JsonValueKind.Number => value.TryGetInt64(out number),
        JsonValueKind.String => long.TryParse(value.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out number),
        _ => (number = 0) != 0,
    };

    private static DateTimeOffset? Time(JsonElement row, string column) =>
        TryGet(row, column, out var value) && value.ValueKind == JsonValueKind.String
        && DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time)
            ? time
            : null;
}
