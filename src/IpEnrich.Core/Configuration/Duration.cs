using System.Globalization;

namespace IpEnrich.Core.Configuration;

/// <summary>
/// Durations in configuration: the .NET <see cref="TimeSpan"/> form (<c>00:00:02</c>, <c>1.00:00:00</c>) or a number
/// with a unit (<c>500ms</c>, <c>2s</c>, <c>1m</c>, <c>6h</c>, <c>7d</c>). A bare number is refused: TimeSpan reads
/// <c>5</c> as five days, which nobody who writes it means; so is <c>24:00:00</c> (24 days to TimeSpan).
/// </summary>
public static class Duration
{
    public const string Hint = "use 00:06:00 or 6h, 30s, 500ms, 7d";

    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = default;
        var s = text.AsSpan().Trim();
        if (s.IsEmpty)
        {
            return false;
        }

        if (s.IndexOf(':') is var colon and > 0)
        {
            // TimeSpan reads "24:00:00" as 24 days; an hour count of 24 or more without a day part is refused instead
            // (d:hh:mm:ss, four parts, names its days).
            var head = s[..colon];
            if (!head.Contains('.') && s.Count(':') <= 2 && int.TryParse(head, NumberStyles.AllowLeadingSign | NumberStyles.AllowLeadingWhite, CultureInfo.InvariantCulture, out var hours)
                && Math.Abs(hours) >= 24)
            {
                return false;
            }

            return TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out value);
        }

        var unitStart = s.Length;
        while (unitStart > 0 && char.IsAsciiLetterLower(s[unitStart - 1]))
        {
            unitStart--;
        }

        long? unitTicks = s[unitStart..] switch
        {
            "ms" => TimeSpan.TicksPerMillisecond,
            "s" => TimeSpan.TicksPerSecond,
            "m" => TimeSpan.TicksPerMinute,
            "h" => TimeSpan.TicksPerHour,
            "d" => TimeSpan.TicksPerDay,
            _ => null,
        };
        if (unitTicks is null
            || !decimal.TryParse(s[..unitStart].TrimEnd(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var ticks = number * unitTicks.Value;
        if (ticks < TimeSpan.MinValue.Ticks || ticks > TimeSpan.MaxValue.Ticks)
        {
            return false;
        }

        value = TimeSpan.FromTicks((long)ticks);
        return true;
    }
}
