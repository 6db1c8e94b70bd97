using Confluent.Kafka;
using IpEnrich.Worker.Kafka;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary>The mock cluster speaks real Kafka to the real Confluent clients: topics with many partitions, groups, faults.</summary>
[Trait("Category", "Integration")]
public sealed class MockKafkaClusterTests
{
    [Fact]
    public async Task Produces_and_consumes_through_a_topic_with_many_partitions()
    {
        using var cluster = new MockKafkaCluster(brokers: 3);
        cluster.CreateTopic("alerts", partitions: 16, replicationFactor: 3);
        Assert.StartsWith("127.0.0.1:", cluster.BootstrapServers, StringComparison.Ordinal);

        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, EnableIdempotence = true, Acks = Acks.All }).Build())
        {
            for (var i = 0; i < 200; i++)
            {
                await producer.ProduceAsync("alerts", new Message<string, string> { Key = $"k{i % 40}", Value = $"{{\"n\":{i}}}" }, TestContext.Current.CancellationToken);
            }
        }

        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "test",
            AutoOffsetReset = AutoOffsetReset.Earliest,
            EnableAutoCommit = false,
        }).Build();
        consumer.Subscribe("alerts");
        var seen = new HashSet<string>();
        var partitions = new HashSet<int>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (seen.Count < 200 && DateTime.UtcNow < deadline)
        {
            var record = consumer.Consume(TimeSpan.FromMilliseconds(200));
            if (record is not null)
            {
                seen.Add(record.Message.Value);
                partitions.Add(record.Partition.Value);
            }
        }

        consumer.Close();
        Assert.Equal(200, seen.Count);
        Assert.True(partitions.Count > 8, $"{partitions.Count} partitions used");
    }

    [Fact]
    public async Task Injected_produce_errors_are_retried_by_the_idempotent_producer()
    {
        using var cluster = new MockKafkaCluster();
        cluster.CreateTopic("out", partitions: 4);
        cluster.PushRequestErrors(0 /* Produce */, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, EnableIdempotence = true }).Build();
        var report = await producer.ProduceAsync("out", new Message<Null, string> { Value = "x" }, TestContext.Current.CancellationToken);
        Assert.Equal(PersistenceStatus.Persisted, report.Status);
    }

    [Fact]
    public void Unknown_broker_is_a_clear_error()
    {
        using var cluster = new MockKafkaCluster();
        var error = Assert.Throws<InvalidOperationException>(() => cluster.SetBrokerDown(42));
        Assert.StartsWith("librdkafka mock: taking broker 42 down failed", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// A limit of the test double, pinned so an upgrade that fixes it is noticed: librdkafka's mock cluster (as shipped in
    /// Confluent.Kafka 2.16) gives read_committed readers the records of open and of aborted transactions. Exactly-once
    /// tests therefore check committed offsets, not what a reader sees (<see cref="CrashRecoveryTests"/>).
    /// </summary>
    [Fact]
    public void Read_committed_sees_open_and_aborted_transactions_on_the_mock()
    {
        using var cluster = new MockKafkaCluster();
        cluster.CreateTopic("t", 1);
        using var producer = new ProducerBuilder<Null, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, TransactionalId = "probe" }).Build();
        producer.InitTransactions(TimeSpan.FromSeconds(10));
        producer.BeginTransaction();
        for (var i = 0; i < 10; i++)
        {
            producer.Produce("t", new Message<Null, string> { Value = "v" + i });
        }

        producer.Flush(TimeSpan.FromSeconds(10));
        var whileOpen = ReadCommittedCount(cluster, "open");
        producer.AbortTransaction(TimeSpan.FromSeconds(10));
        var afterAbort = ReadCommittedCount(cluster, "aborted");

        Assert.Equal(10, whileOpen);  // a Kafka broker: 0
        Assert.Equal(10, afterAbort); // a Kafka broker: 0
    }

    private static int ReadCommittedCount(MockKafkaCluster cluster, string group)
    {
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers, GroupId = group, AutoOffsetReset = AutoOffsetReset.Earliest, IsolationLevel = IsolationLevel.ReadCommitted,
        }).Build();
        consumer.Subscribe("t");
        var seen = 0;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (seen < 10 && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not null)
            {
                seen++;
            }
        }

        consumer.Close();
        return seen;
    }
}
