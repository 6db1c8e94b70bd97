using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary>At-least-once without loss across rebalances and restarts (workers in-process, one mock cluster).</summary>
[Trait("Category", "Integration")]
public sealed class DeliveryGuaranteeTests
{
    private const int Partitions = 8;
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // The mock cluster's coordinator holds a cooperative rebalance's second join for the members' rebalance
    // timeout (max.poll.interval.ms, 300 s by default) before it hands the revoked partitions on: keep it short.
    private static Task<RunningWorker> StartWorkerAsync(Dictionary<string, string?> settings) => RunningWorker.StartAsync(settings,
        "--Logging:LogLevel:Default=Warning", "--Kafka:Settings:max.poll.interval.ms=10000", "--Kafka:Settings:session.timeout.ms=6000");

    private static async Task ProduceAsync(MockKafkaCluster cluster, int from, int count) =>
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers, Enumerable.Range(from, count)
            .Select(i => new Message<string, string> { Key = $"k{i % 50}", Value = $$"""{"seq":{{i}},"src_ip":"10.9.0.{{i % 20}}"}""" }));

    /// <summary>Input offsets the worker's group has committed, over all partitions.</summary>
    private static long CommittedInputs(MockKafkaCluster cluster)
    {
        using var probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "ipenrich" }).Build();
        return probe.Committed([.. Enumerable.Range(0, Partitions).Select(p => new TopicPartition("in", p))], TimeSpan.FromSeconds(10))
            .Sum(c => Math.Max(0, c.Offset.Value));
    }

    private static List<(string Key, int Seq, int Partition, long Offset)> ReadOutput(MockKafkaCluster cluster, int atLeast)
    {
        using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers, GroupId = "verify-" + Guid.NewGuid().ToString("N"), AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
        }).Build();
        consumer.Subscribe("out");
        var records = new List<(string, int, int, long)>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        var quietUntil = DateTime.MaxValue;
        while (DateTime.UtcNow < deadline && DateTime.UtcNow < quietUntil)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } r)
            {
                records.Add((r.Message.Key, JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("seq").GetInt32(), r.Partition.Value, r.Offset.Value));
            }

            if (records.Count >= atLeast && quietUntil == DateTime.MaxValue)
            {
                quietUntil = DateTime.UtcNow.AddSeconds(2); // keep reading briefly to catch duplicates
            }
        }

        consumer.Close();
        return records;
    }

    [Fact]
    public async Task A_worker_joining_and_leaving_mid_stream_loses_nothing_and_keeps_key_order()
    {
        using var cluster = PipelineSetup.Cluster(Partitions);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        var settings = PipelineSetup.Settings(emulator, cluster);

        await using var first = await StartWorkerAsync(settings);
        await ProduceAsync(cluster, 0, 1500);
        await Eventually.UntilAsync(() => first.Services.GetRequiredService<KafkaPipeline>().Delivered > 300, Patience, "the first worker published 300 alerts", Token);

        await using var second = await StartWorkerAsync(settings); // joins: partitions move (cooperative-sticky)
        await ProduceAsync(cluster, 1500, 1500);
        await Eventually.UntilAsync(() => second.Services.GetRequiredService<KafkaPipeline>().AssignedPartitions > 0, Patience, "the joining worker was given partitions (a rebalance)", Token);
        Assert.True(first.Services.GetRequiredService<KafkaPipeline>().AssignedPartitions < Partitions, "the first worker kept every partition");
        await second.StopAsync(TestContext.Current.CancellationToken); // leaves: drains, commits, partitions move back
        await ProduceAsync(cluster, 3000, 1000);

        var output = ReadOutput(cluster, 4000);
        var seqs = output.Select(o => o.Seq).ToHashSet();
        Assert.Equal(4000, seqs.Count); // every input present; duplicates are allowed across a rebalance
        Assert.True(seqs.SetEquals(Enumerable.Range(0, 4000)));
        foreach (var key in output.GroupBy(o => o.Key))
        {
            // Per key, first appearances come in input order (a re-delivered copy may repeat, never reorder).
            var order = key.OrderBy(o => (o.Partition, o.Offset)).Select(o => o.Seq).Distinct().ToList();
            Assert.Equal(order.Order(), order);
        }
    }

    [Fact]
    public async Task A_graceful_stop_commits_everything_so_a_restart_adds_no_duplicates()
    {
        using var cluster = PipelineSetup.Cluster(Partitions);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        var settings = PipelineSetup.Settings(emulator, cluster);
        await ProduceAsync(cluster, 0, 2000);

        await using var first = await StartWorkerAsync(settings);
        await Eventually.UntilAsync(() => first.Services.GetRequiredService<KafkaPipeline>().Delivered > 500, Patience, "500 alerts are published", Token);
        await first.StopAsync(TestContext.Current.CancellationToken); // SIGTERM path: stop consuming, drain, flush, commit
        var firstConsumed = first.Services.GetRequiredService<KafkaPipeline>().Consumed;
        var firstDelivered = first.Services.GetRequiredService<KafkaPipeline>().Delivered;
        await first.DisposeAsync();
        Assert.Equal(firstConsumed, firstDelivered);

        await using var second = await StartWorkerAsync(settings);
        var output = ReadOutput(cluster, 2000);
        Assert.Equal(2000, output.Count);
        Assert.Equal(2000, output.Select(o => o.Seq).Distinct().Count());
    }

    [Fact]
    public async Task Exactly_once_mode_an_aborted_transaction_is_replayed_and_each_input_is_read_once()
    {
        using var cluster = PipelineSetup.Cluster(Partitions);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        var settings = PipelineSetup.Settings(emulator, cluster);
        settings["Kafka:Transactions"] = "true";
        settings["Kafka:TransactionalId"] = "eos-test";
        await ProduceAsync(cluster, 0, 1000);

        await using var worker = await StartWorkerAsync(settings);
        var pipeline = worker.Services.GetRequiredService<KafkaPipeline>();

        // librdkafka's mock broker keeps no aborted-transaction index (its Fetch reports the last stable offset as the
        // log end and no aborted transactions), so a read_committed reader would see the data of an aborted
        // transaction that reached it. The fault is therefore injected once the first 1,000 are committed: it then
        // hits the next transaction's first AddPartitionsToTxn, before any of its data is sent, as a real broker's
        // read_committed filtering would make it look anyway.
        await Eventually.UntilAsync(() => CommittedInputs(cluster) == 1000, Patience, "the first 1,000 inputs are committed", Token);

        // AddPartitionsToTxn (API 24) refused: the open transaction becomes abortable and must be replayed.
        cluster.PushRequestErrors(24, ErrorCode.TopicAuthorizationFailed);
        await ProduceAsync(cluster, 1000, 1000);

        var output = ReadOutput(cluster, 2000);
        Assert.True(pipeline.TransactionRewinds >= 1, "the injected error aborted no transaction");
        Assert.Equal(WorkerExit.Ok, worker.Services.GetRequiredService<WorkerExit>().Code); // records refused meanwhile waited for the abort
        Assert.True(pipeline.IsRunning, "the worker stopped over a transaction it can abort and replay");
        Assert.Equal(2000, output.Select(o => o.Seq).Distinct().Count());
        Assert.Equal(2000, output.Count); // read_committed: the aborted transaction's outputs are invisible
    }
}
