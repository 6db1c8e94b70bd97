using System.Text;
using Confluent.Kafka;
using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class AlertHeadersTests
{
    [Theory]
    [InlineData(AlertEnrichmentStatus.Complete, "complete")]
    [InlineData(AlertEnrichmentStatus.Partial, "partial")]
    [InlineData(AlertEnrichmentStatus.Deferred, "deferred")]
    [InlineData(AlertEnrichmentStatus.None, "none")]
    public void The_output_keeps_the_input_headers_in_order_drops_earlier_ipenrich_ones_and_adds_one_status(AlertEnrichmentStatus status, string expected)
    {
        var input = new Headers
        {
            { "traceparent", "00-abc-def-01"u8.ToArray() },
            { AlertHeaders.Status, "complete"u8.ToArray() }, // forged upstream, or left by an earlier pass
            { "tenant", "a"u8.ToArray() },
            { AlertHeaders.Error, "x"u8.ToArray() },
        };

        var output = AlertHeaders.WithStatus(input, status);

        Assert.Equal(["traceparent", "tenant", AlertHeaders.Status], output.Select(h => h.Key));
        Assert.Equal(expected, Encoding.UTF8.GetString(output.GetLastBytes(AlertHeaders.Status)));
        Assert.Equal(4, input.Count); // the consumed message is left as it was
    }

    [Fact]
    public void An_input_without_headers_gets_only_the_status()
    {
        var output = AlertHeaders.WithStatus(null, AlertEnrichmentStatus.Partial);

        var header = Assert.Single(output);
        Assert.Equal(AlertHeaders.Status, header.Key);
        Assert.Equal("partial"u8.ToArray(), header.GetValueBytes());
    }
}
