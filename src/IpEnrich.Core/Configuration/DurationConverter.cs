using System.ComponentModel;
using System.Globalization;

namespace IpEnrich.Core.Configuration;

/// <summary>
/// The <see cref="TimeSpan"/> converter that reads <see cref="Duration"/>s. <c>ConfigurationBinder</c> converts through
/// <see cref="TypeDescriptor"/>, so registering it once makes every options class and <c>GetValue</c> accept them.
/// </summary>
public sealed class DurationConverter : TimeSpanConverter
{
    private static readonly Lazy<bool> Registration = new(() =>
    {
        TypeDescriptor.AddAttributes(typeof(TimeSpan), new TypeConverterAttribute(typeof(DurationConverter)));
        return true;
    });

    /// <summary>Makes this the process's TimeSpan converter; call before binding. Idempotent.</summary>
    public static void Register() => _ = Registration.Value;

    public override object? ConvertFrom(ITypeDescriptorContext? context, CultureInfo? culture, object value) =>
        value is not string text ? base.ConvertFrom(context, culture, value)
        : Duration.TryParse(text, out var duration) ? duration
        : throw new FormatException($"\"{text}\" is not a duration ({Duration.Hint})");
}
