using System.ComponentModel.DataAnnotations;

namespace IpEnrich.Emulator.Options;

/// <summary>Per-application call limits of the stats API (documented: 100 per minute, 1,500 per hour).</summary>
public sealed class QuotaOptions
{
    public bool Enabled { get; set; } = true;

    [Range(1, int.MaxValue)]
    public int PerMinute { get; set; } = 100;

    [Range(1, int.MaxValue)]
    public int PerHour { get; set; } = 1500;

    /// <summary>Window lengths, shortened only by tests that exercise the limits in real time.</summary>
    public TimeSpan MinuteWindow { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan HourWindow { get; set; } = TimeSpan.FromHours(1);
}
