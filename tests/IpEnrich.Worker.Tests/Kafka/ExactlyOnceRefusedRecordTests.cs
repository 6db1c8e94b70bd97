using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary>
/// Exactly-once mode: a record the broker refuses for good (here its produce answered MESSAGE_TOO_LARGE, as a topic
/// whose max.message.bytes is below the producer's limit answers) aborts its transaction; the replay must publish the
/// bounded dead letter instead of the same record again, which the broker would refuse again, for ever.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ExactlyOnceRefusedRecordTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static long Committed(MockKafkaCluster cluster)
    {
        using var probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "ipenrich" }).Build();
        return Math.Max(0, probe.Committed([new TopicPartition("in", 0)], TimeSpan.FromSeconds(10))[0].Offset.Value);
    }

    private static async Task ProduceAsync(MockKafkaCluster cluster, string key) =>
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers, [new Message<string, string> { Key = key, Value = """{"src_ip":"198.51.100.9"}""" }]);

    [Fact]
    public async Task A_record_the_broker_refuses_is_dead_lettered_on_the_replay_not_produced_again()
    {
        using var cluster = PipelineSetup.Cluster(1);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        var settings = PipelineSetup.Settings(emulator, cluster);
        settings["Kafka:Transactions"] = "true";
        settings["Kafka:TransactionalId"] = "eos-refused";
        settings["Kafka:Settings:session.timeout.ms"] = "6000";
        settings["Kafka:Settings:max.poll.interval.ms"] = "10000";
        await ProduceAsync(cluster, "refused");
        cluster.PushRequestErrors(0 /* Produce */, ErrorCode.MsgSizeTooLarge); // the worker's first produce: the output

        using var host = await PipelineSetup.StartPipelineHostAsync(settings);
        var pipeline = host.Services.GetRequiredService<KafkaPipeline>();
        await Eventually.UntilAsync(() => Committed(cluster) == 1, TimeSpan.FromSeconds(60), "the refused input's offset is committed", Token);
        await ProduceAsync(cluster, "next");
        await Eventually.UntilAsync(() => Committed(cluster) == 2, TimeSpan.FromSeconds(60), "the next input's offset is committed", Token);

        Assert.True(pipeline.IsRunning, "the pipeline stopped");
        Assert.Equal(WorkerExit.Ok, host.Services.GetRequiredService<WorkerExit>().Code);
        // One abort for the refusal; librdkafka may abort the next transaction on that partition once more, for the
        // sequence gap the refused batch left (it bumps the producer epoch then). Never a rewind per replay.
        Assert.InRange(pipeline.TransactionRewinds, 1, 2);
        await host.StopAsync(Token);

        // The refused output never reaches "out" (the replay did not produce it again); its dead letter does.
        var outputs = TopicReader.Drain<string, string>("out", cluster.BootstrapServers, 1);
        var deadLetters = TopicReader.Drain<string, byte[]>("dlq", cluster.BootstrapServers, 1);
        Assert.Equal(["next"], outputs.Select(o => o.Message.Key));
        Assert.Contains(deadLetters, d => d.Message.Key == "refused"
            && d.Message.Headers.TryGetLastBytes(AlertHeaders.Truncated, out var t) && System.Text.Encoding.ASCII.GetString(t) == "true");
    }
}
