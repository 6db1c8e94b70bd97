using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>The pipeline's usual test wiring: topics <c>in</c>, <c>out</c>, <c>dlq</c> on a mock cluster, and the worker's settings for them.</summary>
public static class PipelineSetup
{
    /// <summary>A mock cluster with <c>in</c> and <c>out</c> of <paramref name="partitions"/> partitions and a one-partition <c>dlq</c>.</summary>
    public static MockKafkaCluster Cluster(int partitions)
    {
        var cluster = new MockKafkaCluster();
        cluster.CreateTopic("in", partitions);
        cluster.CreateTopic("out", partitions);
        cluster.CreateTopic("dlq", 1);
        return cluster;
    }

    /// <summary>
    /// The emulator's Defender settings plus the cluster's topics; with <paramref name="unlimitedQuota"/> the worker's
    /// own budget is too large to matter, for tests that are not about the quota.
    /// </summary>
    public static Dictionary<string, string?> Settings(RunningEmulator emulator, MockKafkaCluster cluster, bool unlimitedQuota = true)
    {
        ArgumentNullException.ThrowIfNull(emulator);
        ArgumentNullException.ThrowIfNull(cluster);
        var settings = emulator.DefenderSettings();
        settings["Kafka:BootstrapServers"] = cluster.BootstrapServers;
        settings["Kafka:InputTopic"] = "in";
        settings["Kafka:OutputTopic"] = "out";
        settings["Kafka:DeadLetterTopic"] = "dlq";
        if (unlimitedQuota)
        {
            settings["Quota:PerMinute"] = "100000";
            settings["Quota:PerHour"] = "100000";
        }

        return settings;
    }

    /// <summary>
    /// Starts a host with the worker's modules (<c>AddIpEnrichWorker</c>) and no web server, logging at
    /// Warning unless <paramref name="logging"/> says otherwise.
    /// </summary>
    public static async Task<IHost> StartPipelineHostAsync(Dictionary<string, string?> settings, Action<ILoggingBuilder>? logging = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        (logging ?? (l => l.SetMinimumLevel(LogLevel.Warning)))(builder.Logging);
        builder.Services.AddIpEnrichWorker(builder.Configuration);
        var host = builder.Build();
        await host.StartAsync(TestContext.Current.CancellationToken);
        return host;
    }
}
