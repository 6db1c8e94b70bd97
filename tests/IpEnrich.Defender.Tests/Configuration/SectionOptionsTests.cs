using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using IpEnrich.Defender.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IpEnrich.Defender.Tests.Configuration;

public sealed partial class SectionOptionsTests
{
    public sealed class PoolOptions : IValidatableObject
    {
        [Range(1, 10)]
        public int Size { get; set; } = 3;

        [DurationRange("100ms", "1m")]
        public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(1);

        [Required(ErrorMessage = "{0} is required")]
        public string? Name { get; set; } = "pool";

        [ValidateObjectMembers]
        public RetryOptions Retry { get; set; } = new();

        public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
        {
            if (Size > 5 && Wait < TimeSpan.FromSeconds(1))
            {
                yield return new ValidationResult("Pool:Wait must be at least 1s when Pool:Size is above 5");
            }
        }
    }

    public sealed class RetryOptions
    {
        [Range(0.0, 1.0, MaximumIsExclusive = true)]
        public double Jitter { get; set; } = 0.1;
    }

    [OptionsValidator]
    public sealed partial class PoolOptionsValidator : IValidateOptions<PoolOptions>;

    private static List<string> Failures(string section, params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
        var services = new ServiceCollection();
        services.AddSectionOptions<PoolOptions, PoolOptionsValidator>(configuration, section);
        using var provider = services.BuildServiceProvider();
        try
        {
            _ = provider.GetRequiredService<IOptions<PoolOptions>>().Value;
            return [];
        }
        catch (OptionsValidationException ex)
        {
            return [.. ex.Failures];
        }
    }

    [Fact]
    public void A_valid_section_binds_without_failures() => Assert.Empty(Failures("Pool", ("Pool:Size", "4"), ("Pool:Wait", "2s")));

    [Fact]
    public void Each_failure_is_one_line_naming_its_key()
    {
        var failures = Failures("Pool", ("Pool:Size", "11"), ("Pool:Wait", "2m"), ("Pool:Name", " "), ("Pool:Retry:Jitter", "1"));
        Assert.Equal(
        [
            "Pool:Size must be between 1 and 10",
            "Pool:Wait must be between 100ms and 1m",
            "Pool:Name is required",
            "Pool:Retry:Jitter must be between 0 and 1 exclusive",
        ], failures);
    }

    [Fact]
    public void Rules_across_keys_and_unreadable_values_are_reported_with_the_ranges()
    {
        var failures = Failures("Pool", ("Pool:Size", "6"), ("Pool:Wait", "500ms"), ("Pool:Retry:Jitter", "lots"));
        Assert.Equal(["Pool:Retry:Jitter: \"lots\" is not a number", "Pool:Wait must be at least 1s when Pool:Size is above 5"], failures);
    }

    [Fact]
    public void Top_level_keys_are_named_without_a_section() =>
        Assert.Equal(["Size must be between 1 and 10"], Failures(string.Empty, ("Size", "0")));
}
