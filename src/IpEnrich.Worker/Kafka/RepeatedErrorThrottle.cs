using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// librdkafka reports a broker outage once per reconnect attempt (about 20 a second per client); one warning per error
/// code per <see cref="Interval"/>, with the count of those left out, says the same without flooding the logs.
/// Thread-safe: the consumer's and the producer's errors arrive on different threads.
/// </summary>
internal sealed class RepeatedErrorThrottle(TimeProvider time)
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    private readonly Dictionary<(string Client, ErrorCode Code), (long LoggedAt, int Suppressed)> _last = [];

    /// <summary>True when this error should be logged now; <paramref name="suppressed"/> is how many like it were not since the last one.</summary>
    public bool ShouldLog(string client, ErrorCode code, out int suppressed)
    {
        var now = time.GetTimestamp();
        lock (_last)
        {
            if (_last.TryGetValue((client, code), out var last) && time.GetElapsedTime(last.LoggedAt, now) < Interval)
            {
                _last[(client, code)] = (last.LoggedAt, last.Suppressed + 1);
                suppressed = 0;
                return false;
            }

            suppressed = last.Suppressed;
            _last[(client, code)] = (now, 0);
            return true;
        }
    }
}
