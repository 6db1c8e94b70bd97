using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary>
/// No message can stall its partition or stop the worker, whatever its size: an alert just under
/// <c>Extraction:MaxAlertBytes</c> is enriched (its output is over librdkafka's default 1,000,000-byte limit), larger
/// ones are dead-lettered, and one too large even for that goes out as a bounded dead letter. The small alert behind
/// each is published, the offsets are committed, and a restart re-publishes nothing. (A 10 MB alert cannot be tried
/// here: librdkafka's mock broker keeps only about 5 MiB per partition.)
/// </summary>
[Trait("Category", "Integration")]
public sealed class PoisonMessageTests
{
    private static byte[] Alert(string name, int bytes)
    {
        var head = "{\"name\":\"" + name + "\",\"src_ip\":\"198.51.100.9\",\"pad\":\"";
        var padding = Math.Max(0, bytes - head.Length - 2);
        return Encoding.UTF8.GetBytes(head + new string('a', padding) + "\"}");
    }

    [Fact]
    public async Task Alerts_of_1_2_and_2_5_MB_neither_stall_their_partition_nor_stop_the_worker()
    {
        var ct = TestContext.Current.CancellationToken;
        // A partition per big alert, each with a small one behind it: the mock broker keeps about 5 MiB per partition.
        using var cluster = PipelineSetup.Cluster(partitions: 3);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        (string Name, int Partition, byte[] Value)[] inputs =
        [
            ("just-under-1mb", 0, Alert("just-under-1mb", 999_746)), ("small-0", 0, Alert("small-0", 100)),
            ("2mb", 1, Alert("2mb", 2_000_000)), ("small-1", 1, Alert("small-1", 100)),
            ("2.5mb", 2, Alert("2.5mb", 2_500_000)), ("small-2", 2, Alert("small-2", 100)),
        ];
        await TopicWriter.WriteAsync(cluster.BootstrapServers,
            inputs.Select(input => (new TopicPartition("in", input.Partition), new Message<string, byte[]> { Key = input.Name, Value = input.Value })));

        var settings = PipelineSetup.Settings(emulator, cluster);
        settings["Kafka:Settings:session.timeout.ms"] = "6000"; // the mock coordinator holds a rejoin for these
        settings["Kafka:Settings:max.poll.interval.ms"] = "10000";
        var host = await PipelineSetup.StartPipelineHostAsync(settings);
        var pipeline = host.Services.GetRequiredService<KafkaPipeline>();
        await Eventually.UntilAsync(() => pipeline.Delivered == inputs.Length, TimeSpan.FromSeconds(60), "every input is published or dead-lettered", ct);
        Assert.True(pipeline.IsRunning, "the pipeline stopped");
        await host.StopAsync(ct);
        Assert.Equal(WorkerExit.Ok, host.Services.GetRequiredService<WorkerExit>().Code);
        host.Dispose();

        var outputs = TopicReader.Drain<string, byte[]>("out", cluster.BootstrapServers, 4).ToDictionary(r => r.Message.Key);
        var deadLetters = TopicReader.Drain<string, byte[]>("dlq", cluster.BootstrapServers, 2).ToDictionary(r => r.Message.Key);
        Assert.Equal(["just-under-1mb", "small-0", "small-1", "small-2"], outputs.Keys.Order());
        Assert.All(outputs.Values, o => Assert.Equal("complete", Status(o.Message.Value)));
        Assert.True(outputs["just-under-1mb"].Message.Value.Length > 1_000_000);

        Assert.Equal(["2.5mb", "2mb"], deadLetters.Keys.Order());
        Assert.Equal(inputs[2].Value, deadLetters["2mb"].Message.Value); // whole: it fits the producer's limit
        var bounded = deadLetters["2.5mb"].Message; // over the producer's limit (MaxAlertBytes + headroom) even as a dead letter
        Assert.Equal(64 * 1024, bounded.Value.Length);
        Assert.Equal(inputs[4].Value.AsSpan(0, 64 * 1024).ToArray(), bounded.Value);
        Assert.Equal("true", Header(bounded, AlertHeaders.Truncated));
        Assert.Equal("2500000", Header(bounded, AlertHeaders.OriginalSize));
        Assert.Equal("in", Header(bounded, AlertHeaders.SourceTopic));
        Assert.Contains("output refused by Kafka", Header(bounded, AlertHeaders.Error), StringComparison.Ordinal);

        // Every offset is committed: a restart of the worker finds nothing to redo (no crash loop, no re-publishing).
        using var again = await PipelineSetup.StartPipelineHostAsync(settings);
        var restarted = again.Services.GetRequiredService<KafkaPipeline>();
        await Eventually.UntilAsync(() => restarted.AssignedPartitions > 0, TimeSpan.FromSeconds(30), "the restarted worker is assigned the partition", ct);
        await Task.Delay(TimeSpan.FromSeconds(2), ct);
        Assert.Equal(0, restarted.Consumed);
        await again.StopAsync(ct);
    }

    [Fact]
    public async Task An_alert_with_a_lone_surrogate_escape_is_enriched_and_the_next_one_follows()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cluster = PipelineSetup.Cluster(partitions: 1);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers,
        [
            new Message<string, string> { Key = "surrogate", Value = """{"x":"\ud800","src_ip":"52.94.133.131"}""" },
            new Message<string, string> { Key = "small", Value = """{"src_ip":"198.51.100.9"}""" },
        ]);

        using var host = await PipelineSetup.StartPipelineHostAsync(PipelineSetup.Settings(emulator, cluster));
        var outputs = TopicReader.Drain<string, byte[]>("out", cluster.BootstrapServers, 2).ToDictionary(r => r.Message.Key);
        await host.StopAsync(ct);

        Assert.Equal(["small", "surrogate"], outputs.Keys.Order());
        var ip = JsonDocument.Parse(outputs["surrogate"].Message.Value).RootElement.GetProperty("ipEnrichment").GetProperty("ips")[0];
        Assert.Equal("52.94.133.131", ip.GetProperty("ip").GetString());
        Assert.Equal("complete", Status(outputs["surrogate"].Message.Value));
    }

    private static string Status(byte[] output) =>
        JsonDocument.Parse(output).RootElement.GetProperty("ipEnrichment").GetProperty("status").GetString()!;

    private static string Header(Message<string, byte[]> message, string key) => Encoding.UTF8.GetString(message.Headers.GetLastBytes(key));
}
