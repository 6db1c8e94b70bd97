using System.Text.Json;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Whether the consumer reaches any broker, from librdkafka's statistics (every 5 s): readiness turns Unhealthy once
/// no broker has been up for longer than <see cref="KafkaOptions.DisconnectedGrace"/>, so an orchestrator stops
/// counting on a replica that cannot consume.
/// </summary>
public sealed class BrokerConnectivity(TimeProvider time)
{
    private long _downSince = -1; // a TimeProvider timestamp; -1 while some broker is up or before the first report

    /// <summary>How long no broker has been up; zero while one is (or nothing is known yet).</summary>
    public TimeSpan Disconnected => Interlocked.Read(ref _downSince) is var since and >= 0 ? time.GetElapsedTime(since) : TimeSpan.Zero;

    /// <summary>Reads one statistics document; one that cannot be read changes nothing.</summary>
    public void OnStatistics(string statisticsJson)
    {
        if (AnyBrokerUp(statisticsJson) is not { } up)
        {
            return;
        }

        if (up)
        {
            Interlocked.Exchange(ref _downSince, -1);
        }
        else
        {
            Interlocked.CompareExchange(ref _downSince, time.GetTimestamp(), -1);
        }
    }

    private static bool? AnyBrokerUp(string statisticsJson)
    {
        try
        {
            using var doc = JsonDocument.Parse(statisticsJson);
            if (!doc.RootElement.TryGetProperty("brokers", out var brokers) || brokers.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (var broker in brokers.EnumerateObject())
            {
                if (broker.Value.TryGetProperty("state", out var state) && state.ValueKind == JsonValueKind.String && state.ValueEquals("UP"u8))
                {
                    return true;
                }
            }

            return false;
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
