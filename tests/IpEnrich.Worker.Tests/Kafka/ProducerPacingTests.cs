using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary>A producer slower than the consumer paces consumption instead of filling the in-flight budget.</summary>
[Trait("Category", "Integration")]
public sealed class ProducerPacingTests
{
    private const int Alerts = 3_000;

    [Fact]
    public async Task A_slow_producer_holds_consumption_near_the_producing_threads_high_mark_and_every_alert_is_still_published()
    {
        var ct = TestContext.Current.CancellationToken;
        using var cluster = PipelineSetup.Cluster(16);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers, Enumerable.Range(0, Alerts)
            .Select(i => new Message<string, string> { Key = $"k{i % 64}", Value = $$"""{"seq":{{i}}}""" })); // no IP: no lookups

        var settings = PipelineSetup.Settings(emulator, cluster);
        settings["Kafka:PrepareWorkers"] = "2";
        settings["Kafka:MaxInFlightBytes"] = $"{1L << 30}"; // neither the budget nor the lanes (16 × 512) bound what is consumed here
        settings["Kafka:ProducerSettings:queue.buffering.max.messages"] = "1"; // librdkafka takes one record at a time
        await using var worker = await RunningWorker.StartAsync(settings, "--Logging:LogLevel:Default=Critical");
        var pipeline = worker.Services.GetRequiredService<KafkaPipeline>();

        // What the prepare loops' backlog (2 × 256) and the producing thread's queue hold at most, with slack for what
        // librdkafka holds, the one message the consume thread still polls after each 100 ms wait, and reports it has
        // not yet counted as delivered.
        const int Bound = (2 * PrepareWorkers.BacklogPerWorker) + ProducingThread.QueueHighMark + 300;
        var mostInFlight = 0L;
        await Eventually.UntilAsync(() =>
        {
            mostInFlight = Math.Max(mostInFlight, pipeline.Consumed - pipeline.Delivered);
            return pipeline.Delivered >= Alerts;
        }, TimeSpan.FromSeconds(120), $"all {Alerts} alerts published", ct);

        Assert.InRange(mostInFlight, ProducingThread.QueueHighMark, Bound); // it did fall behind, and consumption waited for it
        Assert.Equal(Alerts, pipeline.Consumed);
    }
}
