using IpEnrich.Worker.Kafka;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class ConsumerLagReaderTests
{
    [Fact]
    public void A_statistics_document_of_an_unexpected_shape_reads_as_unknown_instead_of_throwing()
    {
        Assert.False(ConsumerLagReader.TryReadLag("""{"topics":{"in":{"partitions":{"0":{"consumer_lag":"many"}}}}}""", "in", out var lag, out _));
        Assert.Equal(-1, lag);
        Assert.False(ConsumerLagReader.TryReadLag("""{"topics":{"in":{"partitions":[1,2]}}}""", "in", out lag, out _));
        Assert.Equal(-1, lag);
    }
}
