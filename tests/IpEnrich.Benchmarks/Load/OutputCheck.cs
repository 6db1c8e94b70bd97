using System.Text.Json;
using Confluent.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>Checks a phase's output topic against its input.</summary>
internal static class OutputCheck
{
    /// <summary>Every input seq present in the output once (probes aside): returns (missing, extra copies).</summary>
    public static (int Lost, int Duplicates) Verify(string bootstrap, string topic, int alerts)
    {
        var seen = new int[alerts];
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "verify-" + topic, AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe(topic);
        var read = 0;
        var deadline = DateTime.UtcNow.AddMinutes(2);
        var quietUntil = DateTime.MaxValue;
        while (DateTime.UtcNow < deadline && DateTime.UtcNow < quietUntil)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { } r)
            {
                using var doc = JsonDocument.Parse(r.Message.Value);
                if (doc.RootElement.GetProperty("seq").GetInt32() is not (>= 0 and var seq))
                {
                    continue; // a probe that formed the group
                }

                seen[seq]++;
                if (++read >= alerts && quietUntil == DateTime.MaxValue)
                {
                    quietUntil = DateTime.UtcNow.AddSeconds(2);
                }
            }
        }

        consumer.Close();
        return (seen.Count(n => n == 0), seen.Sum(n => Math.Max(0, n - 1)));
    }
}
