using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Core.Annotation;
using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>Checks a phase's output topic against its input.</summary>
internal static class OutputCheck
{
    /// <summary>Every input seq present in the output once (probes aside): returns (missing, extra copies).</summary>
    public static (int Lost, int Duplicates) Verify(string bootstrap, string topic, int alerts)
    {
        var seen = new int[alerts];
        Read(bootstrap, topic, alerts, (seq, _) => seen[seq]++);
        return (seen.Count(n => n == 0), seen.Sum(n => Math.Max(0, n - 1)));
    }

    /// <summary>The alerts (probes aside) that went out without an answer for every address: each is owed a late update.</summary>
    public static int AwaitingUpdates(string bootstrap, string topic, int alerts)
    {
        var awaiting = 0;
        Read(bootstrap, topic, alerts, (_, headers) =>
        {
            var status = headers.TryGetLastBytes(AlertHeaders.Status, out var value) ? Encoding.UTF8.GetString(value) : null;
            if (status == EnrichmentJson.StatusText(AlertEnrichmentStatus.Deferred) || status == EnrichmentJson.StatusText(AlertEnrichmentStatus.Partial))
            {
                awaiting++;
            }
        });
        return awaiting;
    }

    /// <summary>Reads the topic from the start until <paramref name="alerts"/> alerts and two quiet seconds, or two minutes.</summary>
    private static void Read(string bootstrap, string topic, int alerts, Action<int, Headers> onAlert)
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "verify-" + topic, AutoOffsetReset = AutoOffsetReset.Earliest, EnableAutoCommit = false }).Build();
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

                onAlert(seq, r.Message.Headers);
                if (++read >= alerts && quietUntil == DateTime.MaxValue)
                {
                    quietUntil = DateTime.UtcNow.AddSeconds(2);
                }
            }
        }

        consumer.Close();
    }
}
