using System.Text.Json;

namespace IpEnrich.Worker.Kafka;

/// <summary>Sums <c>consumer_lag</c> over the input topic's partitions in a librdkafka statistics document.</summary>
public static class ConsumerLagReader
{
    /// <summary>False, with the reason, when the document cannot be read; a topic it does not name yet reads as -1.</summary>
    public static bool TryReadLag(string statisticsJson, string topic, out long lag, out string? problem)
    {
        lag = -1;
        problem = null;
        try
        {
            using var doc = JsonDocument.Parse(statisticsJson);
            if (!doc.RootElement.TryGetProperty("topics", out var topics) || !topics.TryGetProperty(topic, out var t)
                || !t.TryGetProperty("partitions", out var partitions))
            {
                return true;
            }

            long total = 0;
            foreach (var partition in partitions.EnumerateObject())
            {
                if (partition.Name != "-1" && partition.Value.TryGetProperty("consumer_lag", out var value) && value.GetInt64() is > 0 and var partitionLag)
                {
                    total += partitionLag;
                }
            }

            lag = total;
            return true;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            // InvalidOperationException: a value of another JSON kind than expected (the document's shape changed).
            problem = $"{ex.GetType().Name}: {ex.Message}";
            return false;
        }
    }
}
