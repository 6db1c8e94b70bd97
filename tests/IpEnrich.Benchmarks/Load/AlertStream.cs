using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using IpEnrich.Emulator.Data;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>The synthetic alerts (a Zipf mix of IPs) and how they are written to a topic, at once or paced.</summary>
internal static class AlertStream
{
    /// <summary>
    /// Writes the alerts (1–4 IPs from a Zipf mix, padded to ~AlertBytes); returns the number of distinct IPs used.
    /// With <paramref name="everyIp"/> the first alerts name each of the mix's IPs once, so a worker fed them has all in cache.
    /// </summary>
    /// <param name="warmUp">Number the alerts -2, -3, …: output checks skip negative seqs, as they skip the probes.</param>
    public static int Produce(MockKafkaCluster cluster, string topic, LoadOptions options, int? alerts = null, bool everyIp = false, bool warmUp = false)
    {
        var (messages, used) = Build(options, alerts ?? options.Alerts, everyIp, warmUp);
        Send(cluster, topic, messages, paced: null);
        return used;
    }

    /// <summary>The alerts as the input topic gets them, and how many distinct IPs they name.</summary>
    public static (Message<byte[], byte[]>[] Messages, int DistinctIps) Build(LoadOptions options, int count, bool everyIp = false, bool warmUp = false)
    {
        var random = new Random(42);
        var zipf = new ZipfSampler(options.Ips, options.Zipf);
        var used = new HashSet<int>();
        var padding = new string('x', Math.Max(0, options.AlertBytes - 330));
        var messages = new Message<byte[], byte[]>[count];
        for (var i = 0; i < count; i++)
        {
            var ips = new string[random.Next(1, 5)];
            for (var k = 0; k < ips.Length; k++)
            {
                var rank = everyIp && k == 0 && i < options.Ips ? i : zipf.Sample(random);
                used.Add(rank);
                ips[k] = $"10.{100 + (rank >> 16)}.{(rank >> 8) & 255}.{rank & 255}";
            }

            var value = $$"""{"seq":{{(warmUp ? -2 - i : i)}},"title":"Suspicious connection","severity":"medium","src_ip":"{{ips[0]}}","destinations":["{{string.Join("\",\"", ips[1..])}}"],"message":"connection from {{ips[0]}} observed","padding":"{{padding}}"}""";
            messages[i] = new Message<byte[], byte[]> { Key = Encoding.UTF8.GetBytes($"host-{i % 1000}"), Value = Encoding.UTF8.GetBytes(value) };
        }

        return (messages, used.Count);
    }

    /// <summary>
    /// Sends <paramref name="messages"/> and waits for every delivery; at <paramref name="paced"/> alerts/s with a
    /// <c>sent-at</c> header when given. Messages are built beforehand, so a paced stream costs the machine no more than
    /// the client's own work, leaving the CPU to the broker and the worker being measured.
    /// </summary>
    public static void Send(MockKafkaCluster cluster, string topic, Message<byte[], byte[]>[] messages, double? paced)
    {
        using var producer = new ProducerBuilder<byte[], byte[]>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 5, QueueBufferingMaxMessages = 1_000_000 }).Build();
        var clock = Stopwatch.StartNew();
        var failed = 0;
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages[i];
            if (paced is not null)
            {
                var due = TimeSpan.FromSeconds(i / paced.Value);
                while (clock.Elapsed < due)
                {
                    Thread.Sleep(1); // pacing on a dedicated thread (never a thread-pool one)
                }

                message.Headers = new Headers { { "sent-at", BitConverter.GetBytes(Stopwatch.GetTimestamp()) } };
            }

            producer.Produce(topic, message, report =>
            {
                if (report.Error.IsError && Interlocked.Increment(ref failed) == 1)
                {
                    Console.Error.WriteLine($"load: producing to {topic} failed: {report.Error.Reason}");
                }
            });
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        if (failed > 0)
        {
            throw new InvalidOperationException($"{failed} of {messages.Length} alerts could not be written to {topic}");
        }
    }
}
