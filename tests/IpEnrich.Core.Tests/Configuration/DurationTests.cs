using System.ComponentModel;
using IpEnrich.Core.Configuration;

namespace IpEnrich.Core.Tests.Configuration;

public sealed class DurationTests
{
    [Theory]
    [InlineData("00:00:02", 2_000)]
    [InlineData("1.00:00:00", 86_400_000)]
    [InlineData("00:00:00.250", 250)]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2_000)]
    [InlineData("90s", 90_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("1m", 60_000)]
    [InlineData("6h", 21_600_000)]
    [InlineData("7d", 604_800_000)]
    [InlineData(" 2 s ", 2_000)]
    [InlineData("-5s", -5_000)]
    [InlineData("0s", 0)]
    [InlineData("23:59:59", 86_399_000)]
    public void Parses_the_TimeSpan_and_the_suffix_form(string text, long milliseconds)
    {
        Assert.True(Duration.TryParse(text, out var value));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), value);
    }

    [Theory]
    [InlineData("5")]
    [InlineData("0")]
    [InlineData("6x")]
    [InlineData("banana")]
    [InlineData("24:00:00")] // 24 days to TimeSpan
    [InlineData("99:05:30")]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("s")]
    [InlineData("5 5s")]
    [InlineData("1e3s")]
    [InlineData("6H")]
    [InlineData("99999999999d")]
    [InlineData("1:2:3:4:5")]
    public void Rejects_bare_numbers_unknown_units_and_garbage(string text) => Assert.False(Duration.TryParse(text, out _));

    [Fact]
    public void The_registered_converter_is_what_TimeSpan_binding_uses()
    {
        DurationConverter.Register();
        var converter = TypeDescriptor.GetConverter(typeof(TimeSpan));
        Assert.Equal(TimeSpan.FromHours(6), converter.ConvertFromInvariantString("6h"));
        Assert.Equal(TimeSpan.FromSeconds(2), converter.ConvertFromInvariantString("00:00:02"));
        var error = Assert.Throws<FormatException>(() => converter.ConvertFromInvariantString("5"));
        Assert.Equal("\"5\" is not a duration (use 00:06:00 or 6h, 30s, 500ms, 7d)", error.Message);
    }
}
