using IpEnrich.Defender.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IpEnrich.Defender.Tests.Configuration;

public sealed class CheckedBindingTests
{
    public enum Mode
    {
        Fast,
        Safe,
    }

    public sealed class Sample
    {
        public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(2);

        [System.ComponentModel.DataAnnotations.Range(1, 10)]
        public int Count { get; set; } = 3;

        public int? Limit { get; set; }

        public double Ratio { get; set; } = 0.5;

        public bool Enabled { get; set; }

        public Mode Mode { get; set; }

        public string? Name { get; set; }

        public Inner Nested { get; set; } = new();

        public IList<TimeSpan> Waits { get; } = [];

        public IDictionary<string, int> Weights { get; } = new Dictionary<string, int>();
    }

    public sealed class Inner
    {
        public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(1);
    }

    private static IConfigurationSection Section(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>("S:" + v.Key, v.Value))).Build().GetSection("S");

    [Fact]
    public void Every_unreadable_value_is_named_with_its_format_nested_and_in_collections_too()
    {
        var section = Section(("Wait", "2x"), ("Count", "many"), ("Limit", "none"), ("Ratio", "half"), ("Enabled", "maybe"), ("Mode", "Slow"),
            ("Name", "anything"), ("Nested:Timeout", "5"), ("Waits:0", "1s"), ("Waits:1", "later"), ("Weights:a", "1"), ("Weights:b", "heavy"));
        Assert.Equal(
        [
            "S:Wait: \"2x\" is not a duration (use 00:06:00 or 6h, 30s, 500ms, 7d)",
            "S:Count: \"many\" is not a whole number",
            "S:Limit: \"none\" is not a whole number",
            "S:Ratio: \"half\" is not a number",
            "S:Enabled: \"maybe\" is not true or false",
            "S:Mode: \"Slow\" is not one of Fast, Safe",
            "S:Nested:Timeout: \"5\" is not a duration (use 00:06:00 or 6h, 30s, 500ms, 7d)",
            "S:Waits:1: \"later\" is not a duration (use 00:06:00 or 6h, 30s, 500ms, 7d)",
            "S:Weights:b: \"heavy\" is not a whole number",
        ], CheckedBinding.Problems(section, typeof(Sample)).Select(p => p.Failure));
    }

    [Fact]
    public void Lenient_binding_keeps_the_default_where_a_value_is_unreadable_and_binds_the_rest()
    {
        var bound = CheckedBinding.BindLeniently(Section(("Wait", "banana"), ("Count", "7"), ("Nested:Timeout", "250ms"), ("Waits:0", "1m"), ("Limit", "")), new Sample());
        Assert.Equal((TimeSpan.FromSeconds(2), 7, TimeSpan.FromMilliseconds(250), null), (bound.Wait, bound.Count, bound.Nested.Timeout, bound.Limit));
        Assert.Equal([TimeSpan.FromMinutes(1)], bound.Waits);
    }

    [Fact]
    public void Bound_options_report_conversion_failures_through_validation()
    {
        var section = Section(("Wait", "5"), ("Count", "x"));
        var services = new ServiceCollection();
        services.AddOptions<Sample>().BindChecked(section).Validate(o => o.Count > 0, "S:Count must be positive");
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<Sample>>().Value);
        Assert.Equal(["S:Wait: \"5\" is not a duration (use 00:06:00 or 6h, 30s, 500ms, 7d)", "S:Count: \"x\" is not a whole number"], error.Failures);
    }
}
