using System.Diagnostics.Metrics;
using IpEnrich.Core.Telemetry;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace IpEnrich.Core.Tests.Telemetry;

public sealed class TaggedCountTests : IDisposable
{
    private readonly Meter _meter = new("TaggedCountTests");

    [Fact]
    public void Counts_are_reported_as_totals_per_tag_value_when_collected_and_a_value_never_counted_has_no_series()
    {
        var count = new TaggedCount(_meter, "test.alerts", "{alert}", "test", TagNames.Outcome, AlertOutcomes.All);
        using var collector = new MetricCollector<long>(count.Instrument);

        count.Add(1, AlertOutcomes.Complete);
        count.Add(2, AlertOutcomes.Complete);
        count.Add(1, AlertOutcomes.DeadLetter);
        count.Add(0, AlertOutcomes.Partial); // counted nothing: no series yet, as with a counter
        collector.RecordObservableInstruments();
        Assert.Equal([(AlertOutcomes.Complete, 3L), (AlertOutcomes.DeadLetter, 1L)], Series(collector.GetMeasurementSnapshot()));

        count.Add(4, AlertOutcomes.Complete);
        collector.RecordObservableInstruments();
        Assert.Equal([(AlertOutcomes.Complete, 7L), (AlertOutcomes.DeadLetter, 1L)], Series(collector.GetMeasurementSnapshot().Skip(2)));
    }

    [Fact]
    public void A_value_of_the_tag_counts_whatever_string_instance_carries_it_and_any_other_value_is_refused()
    {
        var count = new TaggedCount(_meter, "test.lookups", "{lookup}", "test", TagNames.Source, LookupSources.All);
        using var collector = new MetricCollector<long>(count.Instrument);

        count.Add(5, string.Concat("l", "1")); // equal text, another instance than the constant
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => count.Add(1, "disk"));
        Assert.Contains("test.lookups", refused.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => count.Add(-1, LookupSources.L1));

        collector.RecordObservableInstruments();
        Assert.Equal([(LookupSources.L1, 5L)], Series(collector.GetMeasurementSnapshot()));
    }

    private static List<(string?, long)> Series(IEnumerable<CollectedMeasurement<long>> measurements) =>
        [.. measurements.Select(m => (m.Tags.Values.Single() as string, m.Value))];

    public void Dispose() => _meter.Dispose();
}
