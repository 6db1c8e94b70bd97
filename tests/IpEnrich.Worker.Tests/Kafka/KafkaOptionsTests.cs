using IpEnrich.Worker.Kafka;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class KafkaOptionsTests
{
    [Fact]
    public void Each_client_gets_the_shared_settings_with_its_own_over_them()
    {
        var options = new KafkaOptions();
        options.Settings["security.protocol"] = "SASL_SSL";
        options.Settings["client.id"] = "shared";
        options.ConsumerSettings["fetch.wait.max.ms"] = "10";
        options.ConsumerSettings["client.id"] = "consumer";
        options.ProducerSettings["linger.ms"] = "20";

        var consumer = options.ForConsumer();
        var producer = options.ForProducer();

        Assert.Equal("SASL_SSL", consumer["security.protocol"]);
        Assert.Equal("SASL_SSL", producer["security.protocol"]);
        Assert.Equal("consumer", consumer["client.id"]);
        Assert.Equal("shared", producer["client.id"]);
        Assert.Equal("10", consumer["fetch.wait.max.ms"]);
        Assert.False(producer.ContainsKey("fetch.wait.max.ms"));
        Assert.Equal("20", producer["linger.ms"]);
        Assert.False(consumer.ContainsKey("linger.ms"));
    }

    [Fact]
    public void A_client_writes_into_its_own_copy_not_into_the_options()
    {
        var options = new KafkaOptions();
        options.Settings["client.id"] = "shared";

        options.ForProducer()["client.id"] = "changed by Confluent's config class";

        Assert.Equal("shared", options.Settings["client.id"]);
        Assert.Equal("shared", options.ForConsumer()["client.id"]);
    }

    [Theory]
    [InlineData(1024L, false)]
    [InlineData(1024L * 1024, true)]
    [InlineData(64L * 1024 * 1024 * 1024, true)]
    [InlineData(65L * 1024 * 1024 * 1024, false)]
    public void The_in_flight_budget_is_validated_at_start(long bytes, bool valid)
    {
        var options = new KafkaOptions { BootstrapServers = "k:9092", InputTopic = "in", OutputTopic = "out", DeadLetterTopic = "dlq", MaxInFlightBytes = bytes };

        var result = new KafkaOptionsValidator().Validate(KafkaOptions.SectionName, options);

        Assert.Equal(valid, result.Succeeded);
        Assert.Equal(valid, result.Failures is null || !result.Failures.Any(f => f.Contains(nameof(KafkaOptions.MaxInFlightBytes), StringComparison.Ordinal)));
    }
}
