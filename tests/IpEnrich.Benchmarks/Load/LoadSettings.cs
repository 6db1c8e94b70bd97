using System.Globalization;
using IpEnrich.Testing;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>The configuration every measured process gets: the Kafka part is shared by the worker and the bare copy.</summary>
internal static class LoadSettings
{
    // librdkafka's mock broker holds a fetch that finds no data for the full fetch.wait.max.ms (500 ms by default)
    // instead of answering when data arrives as Kafka does; every consumer here (copy, worker, readers) uses 10 ms.
    public const int FetchWaitMaxMs = 10;

    /// <summary>The worker's <c>Kafka:*</c> settings: what the copy process and the in-harness copies build their clients from.</summary>
    public static Dictionary<string, string?> Kafka(string bootstrap, string input, string output, string group) => new()
    {
        ["Kafka:BootstrapServers"] = bootstrap,
        ["Kafka:InputTopic"] = input,
        ["Kafka:OutputTopic"] = output,
        ["Kafka:DeadLetterTopic"] = "dlq",
        ["Kafka:GroupId"] = group,
        ["Kafka:ConsumerSettings:fetch.wait.max.ms"] = FetchWaitMaxMs.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>A worker's settings: the Kafka part, the emulator as the API (quota scaled up), Redis when there is one.</summary>
    public static Dictionary<string, string?> Worker(MockKafkaCluster cluster, RunningEmulator emulator, RedisServer? redis, string input, string output, string group)
    {
        var settings = emulator.DefenderSettings();
        foreach (var (key, value) in Kafka(cluster.BootstrapServers, input, output, group))
        {
            settings[key] = value;
        }

        // The largest budget the worker's validation accepts (main caps PerMinute at 100,000): never the bound here.
        settings["Quota:PerMinute"] = "100000";
        settings["Quota:PerHour"] = "10000000";
        settings["Enrichment:MaxWait"] = "00:00:05";
        if (redis is not null)
        {
            settings["Redis:ConnectionString"] = redis.ConnectionString;
        }

        return settings;
    }
}
