using System.Text.Json;

namespace IpEnrich.Worker.Kafka;

/// <summary>Sums <c>consumer_lag</c> over the input topic's partitions in a librdkafka statistics document.</summary>
public static class ConsumerLagReader
{
    public static long TotalLag(string statisticsJson, string topic)
    {
        try
        {
            using var doc = JsonDocument.Parse(statisticsJson);
            if (!doc.RootElement.TryGetProperty("topics", out var topics) || !topics.TryGetProperty(topic, out var t)
                || !t.TryGetProperty("partitions", out var partitions))
            {
                return -1;
            }

            long total = 0;
            foreach (var partition in partitions.EnumerateObject())
            {
                if (partition.Name != "-1" && partition.Value.TryGetProperty("consumer_lag", out var lag) && lag.GetInt64() > 0)
                {
                    total += lag.GetInt64();
                }
            }

            return total;
        }
        catch (JsonException)
        {
            return -1;
        }
    }
}
