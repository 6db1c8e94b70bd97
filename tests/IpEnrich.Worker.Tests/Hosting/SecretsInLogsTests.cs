using Confluent.Kafka;
using IpEnrich.Emulator.Options;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace IpEnrich.Worker.Tests.Hosting;

/// <summary>docs/security.md: at the most verbose log level, with librdkafka's own debug output on, no secret or token is logged.</summary>
[Trait("Category", "Integration")]
public sealed class SecretsInLogsTests
{
    private const string KafkaPassword = "kafka-sasl-test-password-5b1f";
    private const string RedisPassword = "redis-test-password-93ac";

    [Fact]
    public async Task The_worker_logs_at_trace_level_without_a_secret_or_a_token()
    {
        using var cluster = PipelineSetup.Cluster(partitions: 2);
        await using var emulator = await RunningEmulator.StartAsync();
        var settings = PipelineSetup.Settings(emulator, cluster);
        settings["Kafka:Settings:sasl.username"] = "ipenrich";
        settings["Kafka:Settings:sasl.password"] = KafkaPassword;
        settings["Kafka:Settings:debug"] = "conf,security,generic";
        // A Redis that refuses connections: the fallback path logs its errors, which must not carry the password.
        settings["Redis:ConnectionString"] = $"127.0.0.1:1,password={RedisPassword},abortConnect=false,connectTimeout=200";
        using var host = await PipelineSetup.StartPipelineHostAsync(settings, logging => logging.ClearProviders().SetMinimumLevel(LogLevel.Trace).AddFakeLogging());
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers, [new Message<Null, string> { Value = """{"src_ip":"192.0.2.10"}""" }]);

        var pipeline = host.Services.GetRequiredService<KafkaPipeline>();
        await Eventually.UntilAsync(() => pipeline.Delivered >= 1, TimeSpan.FromSeconds(30), "the pipeline published 1 record(s)", TestContext.Current.CancellationToken);

        await host.StopAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1, pipeline.Delivered);

        var records = host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();
        var everything = string.Join('\n', records.Select(r => $"{r.Category} {r.Message} {r.Exception}"));
        Assert.Contains("librdkafka", everything, StringComparison.Ordinal); // the native client's debug output was captured
        var token = await emulator.GetTokenAsync();
        Assert.DoesNotContain(EmulatorOptions.DefaultClientSecret, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(KafkaPassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(RedisPassword, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(token.Split('.')[1], everything, StringComparison.Ordinal); // a token's claims part
        Assert.DoesNotContain("eyJ", everything, StringComparison.Ordinal); // no JWT of any kind
    }
}
