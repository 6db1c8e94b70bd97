using IpEnrich.Worker.Kafka;
using Microsoft.Extensions.Logging.Testing;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class ConsumerLagMonitorTests
{
    private static string Statistics(string lag) =>
        """{"topics":{"in":{"partitions":{"0":{"consumer_lag":""" + lag + """},"1":{"consumer_lag":5},"-1":{"consumer_lag":99}}}}}""";

    [Fact]
    public async Task An_unreadable_document_is_logged_once_and_reading_goes_on()
    {
        var logger = new FakeLogger<ConsumerLagMonitor>();
        var monitor = new ConsumerLagMonitor(logger);

        monitor.OnStatistics(Statistics("7"), "in");
        await monitor.Parsing;
        Assert.Equal(12, monitor.Lag);

        monitor.OnStatistics(Statistics("\"many\""), "in");
        await monitor.Parsing;
        monitor.OnStatistics("{not json", "in");
        await monitor.Parsing;
        Assert.Equal(-1, monitor.Lag); // unknown, not frozen at the last value
        Assert.Single(logger.Collector.GetSnapshot(), r => r.Id.Id == 1012);

        monitor.OnStatistics(Statistics("1"), "in");
        await monitor.Parsing;
        Assert.Equal(6, monitor.Lag);
    }
}
