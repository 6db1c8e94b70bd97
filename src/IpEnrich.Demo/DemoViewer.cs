using System.Text.Json;
using Confluent.Kafka;

namespace IpEnrich.Demo;

/// <summary>What the demo reads back from Kafka to show: a few enriched alerts, and the first late update for a sample alert.</summary>
internal static class DemoViewer
{
    private static readonly JsonSerializerOptions Pretty = new() { WriteIndented = true };

    /// <summary>Prints the first <paramref name="count"/> enriched alerts with at least one IP found in the estate (with its statistics and triage).</summary>
    public static async Task ShowEnrichedAsync(string bootstrap, string topic, TextWriter output, int count, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var consumer = Subscribe(bootstrap, "ipenrich-demo-viewer", topic);
        var shown = 0;
        while (shown < count && !cancellationToken.IsCancellationRequested)
        {
            var record = await Task.Run(() => consumer.Consume(TimeSpan.FromMilliseconds(250)), CancellationToken.None);
            if (record?.Message.Value is not { } value)
            {
                continue;
            }

            using var doc = JsonDocument.Parse(value);
            if (!doc.RootElement.TryGetProperty("ipEnrichment", out var property) || !AnyFound(property))
            {
                continue; // deferred ones get their late update; the ones shown carry real statistics
            }

            var enrichment = property.GetRawText();
            await output.WriteLineAsync($"--- enriched alert {record.Message.Key} ({record.TopicPartitionOffset}), ipEnrichment:");
            await output.WriteLineAsync(enrichment.Length > 900 ? enrichment[..900] + " …" : enrichment);
            shown++;
        }

        consumer.Close();
    }

    /// <summary>
    /// Prints the first late update whose key is not <paramref name="syntheticKeyPrefix"/>'s: one for a sample alert,
    /// a known document the reader can look up, rather than one of the synthetic stream's.
    /// </summary>
    public static async Task ShowFirstSampleUpdateAsync(string bootstrap, string topic, string syntheticKeyPrefix, TextWriter output, CancellationToken cancellationToken)
    {
        await Task.Yield();
        using var consumer = Subscribe(bootstrap, "ipenrich-demo-updates-viewer", topic);
        while (!cancellationToken.IsCancellationRequested)
        {
            var record = await Task.Run(() => consumer.Consume(TimeSpan.FromMilliseconds(250)), CancellationToken.None);
            if (record?.Message.Value is not { } value || record.Message.Key?.StartsWith(syntheticKeyPrefix, StringComparison.Ordinal) != false)
            {
                continue;
            }

            using var doc = JsonDocument.Parse(value);
            // One write: the progress line, written concurrently, must not land between the header and the record.
            await output.WriteLineAsync($"--- late update for sample alert {record.Message.Key} ({record.TopicPartitionOffset}):{Environment.NewLine}" +
                JsonSerializer.Serialize(doc.RootElement, Pretty));
            break;
        }

        consumer.Close();
    }

    private static bool AnyFound(JsonElement enrichment) =>
        enrichment.TryGetProperty("ips", out var ips) && ips.ValueKind == JsonValueKind.Array
        && ips.EnumerateArray().Any(ip => ip.TryGetProperty("status", out var status) && status.GetString() == "found");

    private static IConsumer<string, string> Subscribe(string bootstrap, string group, string topic)
    {
        var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = group,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).Build();
        consumer.Subscribe(topic);
        return consumer;
    }
}
