using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary>Kafka, API and Redis faults mid-stream: alerts keep flowing with truthful statuses and none is lost.</summary>
[Trait("Category", "Integration")]
public sealed class FaultToleranceTests
{
    [Fact]
    public async Task Kafka_api_and_redis_faults_lose_nothing_and_statuses_tell_the_truth()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var redis = await RedisServer.StartOrSkipAsync();
        using var cluster = PipelineSetup.Cluster(4);
        await using var emulator = await RunningEmulator.StartOnSystemClockAsync("--Emulator:Quota:Enabled=false");
        var settings = PipelineSetup.Settings(emulator, cluster);
        settings["Redis:ConnectionString"] = redis.ConnectionString;
        // The redis-down phase is about the local fallback answering: it starts at once (QuotaFallbackTests cover the grace).
        settings["Redis:FallbackGrace"] = "00:00:00";
        settings["Enrichment:MaxWait"] = "00:00:02";
        settings["Kafka:Settings:socket.timeout.ms"] = "5000"; // requests lost with the broker fail fast
        settings["Defender:Resilience:MaxRetries"] = "0";
        settings["Defender:Resilience:BreakDuration"] = "00:00:01"; // the 5xx storm opens the circuit; let it close quickly
        await using var worker = await RunningWorker.StartAsync(settings, "--Logging:LogLevel:Default=Critical");
        var pipeline = worker.Services.GetRequiredService<KafkaPipeline>();

        var next = 0;
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 2, MessageTimeoutMs = 120_000, SocketTimeoutMs = 5_000 }).Build();
        void Produce(int count)
        {
            for (var i = 0; i < count; i++, next++)
            {
                // A new IP per alert: every phase needs the API, none is answered from the cache.
                producer.Produce("in", new Message<string, string> { Key = $"k{next % 32}", Value = $$"""{"seq":{{next}},"src_ip":"10.3.{{next / 250 % 250}}.{{(next % 250) + 1}}"}""" });
            }

            producer.Flush(TimeSpan.FromSeconds(60));
        }

        async Task ProducePhaseAsync(int count)
        {
            Produce(count);
            await Eventually.UntilAsync(() => pipeline.Delivered >= next, TimeSpan.FromSeconds(60), $"the pipeline published all {next} alerts so far", ct);
        }

        var phases = new List<(string Name, int From, int To)>();
        async Task PhaseAsync(string name, Func<Task> fault, Func<Task> heal)
        {
            await fault();
            var from = next;
            await ProducePhaseAsync(300);
            phases.Add((name, from, next));
            await heal();
        }

        await PhaseAsync("warm-up", () => Task.CompletedTask, () => Task.CompletedTask);
        await PhaseAsync("api-5xx", () => emulator.SetFaultsAsync(new FaultOptions { FailNextCount = 40 }), async () =>
        {
            await emulator.SetFaultsAsync(new FaultOptions());
            await Task.Delay(TimeSpan.FromSeconds(2), ct); // the circuit half-opens
        });
        await PhaseAsync("api-429", () => emulator.SetFaultsAsync(new FaultOptions { Force429Seconds = 3 }),
            () => Task.Delay(TimeSpan.FromSeconds(4), ct)); // the shared pause (Retry-After) runs out
        await PhaseAsync("redis-down", redis.StopAsync, async () =>
        {
            await redis.StartAsync();
            await Task.Delay(TimeSpan.FromSeconds(2), ct); // the multiplexer reconnects (1 s retry)
        });
        await PhaseAsync("broker-down", () =>
        {
            cluster.PushRequestErrors(0, ErrorCode.NotLeaderForPartition, ErrorCode.RequestTimedOut, ErrorCode.NotEnoughReplicas);
            cluster.SetBrokerDown(1);
            _ = Task.Delay(TimeSpan.FromSeconds(3), ct).ContinueWith(_ => cluster.SetBrokerUp(1), ct, TaskContinuationOptions.None, TaskScheduler.Default);
            return Task.CompletedTask;
        }, () => Task.CompletedTask);
        await PhaseAsync("healed", () => Task.CompletedTask, () => Task.CompletedTask);

        var enrichments = new Dictionary<int, JsonElement>();
        using var reader = new ConsumerBuilder<string, string>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "verify", AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        reader.Subscribe("out");
        var readDeadline = DateTime.UtcNow.AddSeconds(120);
        while (enrichments.Count < next && DateTime.UtcNow < readDeadline)
        {
            if (reader.Consume(TimeSpan.FromMilliseconds(200)) is { } r)
            {
                using var doc = JsonDocument.Parse(r.Message.Value);
                enrichments[doc.RootElement.GetProperty("seq").GetInt32()] = doc.RootElement.GetProperty("ipEnrichment").Clone();
            }
        }

        reader.Close();
        await worker.StopAsync(ct);

        Assert.Equal(next, enrichments.Count); // every alert published, whatever failed meanwhile
        string Summary(int from, int to) => string.Join(", ", Enumerable.Range(from, to - from)
            .Select(i => Reason(enrichments[i])).GroupBy(x => x).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key}={g.Count()}"));
        var report = string.Join("; ", phases.Select(p => $"{p.Name}: {Summary(p.From, p.To)}"));
        var byPhase = phases.ToDictionary(p => p.Name, p => Enumerable.Range(p.From, p.To - p.From).Select(i => Reason(enrichments[i])).ToList());

        // Truthful statuses: each fault shows up as its own reason, and healthy phases are complete.
        Assert.True(byPhase["warm-up"].Count(r => r == "complete") >= 250, report); // the very first alerts may wait for the first token
        Assert.Contains("deferred:outage", byPhase["api-5xx"]);
        Assert.Contains("deferred:quota", byPhase["api-429"]);
        Assert.DoesNotContain(byPhase["api-429"], r => r == "deferred:outage");
        Assert.All(byPhase["redis-down"], r => Assert.True(r is "complete" or "deferred:timeout", report)); // local fallback answers
        Assert.True(byPhase["redis-down"].Count(r => r == "complete") >= 250, report);
        Assert.All(byPhase["healed"], r => Assert.Equal("complete", r));
        Assert.True(pipeline.Delivered >= next);
    }

    /// <summary><c>complete</c>, or <c>deferred:reason</c> naming why the (single) IP was not answered.</summary>
    private static string Reason(JsonElement enrichment)
    {
        var status = enrichment.GetProperty("status").GetString()!;
        return status == "complete" ? status : status + ":" + enrichment.GetProperty("ips")[0].GetProperty("reason").GetString();
    }
}
