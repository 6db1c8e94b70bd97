using System.Globalization;
using System.Text;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class InFlightBudgetTests
{
    private static ConsumeResult<byte[]?, byte[]?> Message(int bytes, int keyBytes = 0) => new()
    {
        TopicPartitionOffset = new TopicPartitionOffset("in", 0, 0),
        Message = new Message<byte[]?, byte[]?> { Key = keyBytes > 0 ? new byte[keyBytes] : null, Value = new byte[bytes] },
    };

    [Fact]
    public void A_message_counts_its_key_value_and_the_workers_own_state()
    {
        Assert.Equal(1_000 + 16 + InFlightBudget.PerMessageOverhead, InFlightBudget.ChargeOf(Message(1_000, keyBytes: 16)));
        Assert.Equal(InFlightBudget.PerMessageOverhead, InFlightBudget.ChargeOf(new ConsumeResult<byte[]?, byte[]?> { Message = new() }));
    }

    [Fact]
    public void Takes_until_the_bound_then_again_as_bytes_come_back()
    {
        var budget = new InFlightBudget(10_000);

        Assert.True(budget.TryTake(6_000));
        Assert.True(budget.TryTake(4_000)); // exactly at the bound
        Assert.False(budget.TryTake(1));
        budget.Return(6_000);
        Assert.True(budget.TryTake(5_000));
        Assert.False(budget.TryTake(1_001));
        Assert.Equal(9_000, budget.Held);
    }

    [Fact]
    public void A_message_larger_than_the_budget_is_taken_only_when_nothing_else_is_held()
    {
        var budget = new InFlightBudget(10_000);
        Assert.True(budget.TryTake(1));
        Assert.False(budget.TryTake(50_000));
        budget.Return(1);

        Assert.True(budget.TryTake(50_000));
        Assert.False(budget.TryTake(1)); // nothing more beside it
    }

    /// <summary>
    /// Alerts near <c>Extraction:MaxAlertBytes</c> on every partition, with the budget at its floor (1 MiB, about one
    /// of them): the worker holds one large alert at a time and still delivers every alert, each partition in order.
    /// </summary>
    [Fact]
    [Trait("Category", "Integration")]
    public async Task Large_alerts_on_every_partition_pass_one_budget_in_order_without_a_stall()
    {
        const int Partitions = 4;
        const int PerPartition = 40;
        const long Budget = 1024 * 1024;
        using var cluster = PipelineSetup.Cluster(Partitions);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        var inputs = new List<(TopicPartition, Message<string, byte[]>)>();
        for (var seq = 0; seq < PerPartition; seq++)
        {
            for (var p = 0; p < Partitions; p++)
            {
                // Every tenth alert of a partition is 900 KB: about 90 % of the budget alone.
                var padding = seq % 10 == 3 ? 900_000 : 200;
                var alert = Encoding.UTF8.GetBytes($$"""{"seq":{{seq}},"src":"203.0.113.{{p + 1}}","pad":"{{new string('x', padding)}}"}""");
                inputs.Add((new TopicPartition("in", p), new Message<string, byte[]> { Key = $"p{p}", Value = alert }));
            }
        }

        await TopicWriter.WriteAsync(cluster.BootstrapServers, inputs);

        var settings = PipelineSetup.Settings(emulator, cluster);
        settings["Kafka:MaxInFlightBytes"] = Budget.ToString(CultureInfo.InvariantCulture);
        settings["Extraction:MaxAlertBytes"] = (1024 * 1024).ToString(CultureInfo.InvariantCulture);
        using var host = await PipelineSetup.StartPipelineHostAsync(settings);
        var pipeline = host.Services.GetRequiredService<KafkaPipeline>();
        long mostHeld = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                mostHeld = Math.Max(mostHeld, pipeline.InFlightBytes);
                await Task.Delay(1, CancellationToken.None);
            }
        }, CancellationToken.None);

        var outputs = TopicReader.Drain<string, byte[]>("out", cluster.BootstrapServers, Partitions * PerPartition);
        await sampling.CancelAsync();
        await sampler;
        await Eventually.UntilAsync(() => pipeline.InFlightBytes == 0, TimeSpan.FromSeconds(10), "every alert gives its budget back", TestContext.Current.CancellationToken);
        await host.StopAsync(TestContext.Current.CancellationToken);

        Assert.Equal(Partitions * PerPartition, outputs.Count);
        foreach (var key in outputs.GroupBy(o => o.Message.Key))
        {
            var order = key.Select(o => Sequence(o.Message.Value)).ToList();
            Assert.Equal(Enumerable.Range(0, PerPartition), order);
        }

        Assert.InRange(mostHeld, InFlightBudget.PerMessageOverhead, Budget); // sampled: the bound held whenever looked at
    }

    private static int Sequence(byte[] output)
    {
        using var document = System.Text.Json.JsonDocument.Parse(output);
        return document.RootElement.GetProperty("seq").GetInt32();
    }
}
