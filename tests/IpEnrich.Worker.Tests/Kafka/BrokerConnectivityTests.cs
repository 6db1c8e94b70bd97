using IpEnrich.Worker.Kafka;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class BrokerConnectivityTests
{
    private static string Statistics(string state) =>
        """{"brokers":{"127.0.0.1:9092/1":{"nodeid":1,"state":""" + "\"" + state + "\"" + """},"GroupCoordinator":{"nodeid":-1,"state":"DOWN"}}}""";

    [Fact]
    public void Disconnection_counts_from_the_first_report_with_no_broker_up_until_one_is_up_again()
    {
        var time = new FakeTimeProvider();
        var connectivity = new BrokerConnectivity(time);
        connectivity.OnStatistics(Statistics("UP"));
        Assert.Equal(TimeSpan.Zero, connectivity.Disconnected);

        connectivity.OnStatistics(Statistics("DOWN"));
        time.Advance(TimeSpan.FromSeconds(5));
        connectivity.OnStatistics(Statistics("CONNECT")); // still down: the clock keeps running from the first report
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(TimeSpan.FromSeconds(10), connectivity.Disconnected);

        connectivity.OnStatistics("{not json");
        Assert.Equal(TimeSpan.FromSeconds(10), connectivity.Disconnected);

        connectivity.OnStatistics(Statistics("UP"));
        Assert.Equal(TimeSpan.Zero, connectivity.Disconnected);
    }
}
