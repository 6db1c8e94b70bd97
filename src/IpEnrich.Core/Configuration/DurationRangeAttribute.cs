using System.ComponentModel.DataAnnotations;

namespace IpEnrich.Core.Configuration;

/// <summary>
/// A duration setting's bounds, written as in configuration (<c>100ms</c>, <c>30d</c>), so the error reads as the user
/// writes durations: <c>Cache:MaxStale must be between 0s and 30d</c> rather than TimeSpan's <c>30.00:00:00</c>.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class DurationRangeAttribute : ValidationAttribute
{
    public DurationRangeAttribute(string minimum, string maximum)
    {
        Minimum = minimum;
        Maximum = maximum;
        MinimumValue = Parse(minimum);
        MaximumValue = Parse(maximum);
    }

    public string Minimum { get; }

    public string Maximum { get; }

    public TimeSpan MinimumValue { get; }

    public TimeSpan MaximumValue { get; }

    public override string FormatErrorMessage(string name) => $"{name} must be between {Minimum} and {Maximum}";

    protected override ValidationResult? IsValid(object? value, ValidationContext validationContext)
    {
        ArgumentNullException.ThrowIfNull(validationContext);
        // No member names: the message already names the setting, and the options validator would prefix them.
        return value is not TimeSpan duration || (duration >= MinimumValue && duration <= MaximumValue)
            ? ValidationResult.Success
            : new ValidationResult(FormatErrorMessage(validationContext.DisplayName));
    }

    private static TimeSpan Parse(string text) =>
        Duration.TryParse(text, out var value) ? value : throw new ArgumentException($"'{text}' is not a duration ({Duration.Hint})", nameof(text));
}
