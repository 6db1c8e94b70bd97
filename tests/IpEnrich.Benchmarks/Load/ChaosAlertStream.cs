using System.Diagnostics;
using Confluent.Kafka;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>Alerts at a steady rate on a dedicated thread: a new source IP each (the API is needed) and a common destination.</summary>
internal sealed class ChaosAlertStream : IDisposable
{
    private readonly IProducer<string, string> _producer;
    private readonly Thread _thread;
    private volatile bool _stopped;
    private int _next;

    public ChaosAlertStream(string bootstrap, string topic, int rate)
    {
        // Retries for as long as the broker may be down: the input side must not be what loses an alert.
        _producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, MessageTimeoutMs = 300_000, EnableIdempotence = true }).Build();
        _thread = new Thread(() =>
        {
            var clock = Stopwatch.StartNew();
            for (var seq = 0; !_stopped; seq++)
            {
                while (clock.Elapsed < TimeSpan.FromSeconds(seq / (double)rate))
                {
                    Thread.Sleep(1); // pacing on a dedicated thread (never a thread-pool one)
                }

                var value = $$"""{"seq":{{seq}},"title":"chaos","src_ip":"10.{{20 + (seq >> 16)}}.{{(seq >> 8) & 255}}.{{seq & 255}}","dst_ip":"10.9.0.{{seq % 16}}"}""";
                var written = seq;
                _producer.Produce(topic, new Message<string, string>
                {
                    Key = $"host-{seq % 97}",
                    Value = value,
                    Headers = new Headers { { "sent-at", BitConverter.GetBytes(Stopwatch.GetTimestamp()) } },
                }, report =>
                {
                    if (report.Error.IsError)
                    {
                        NotWritten[written] = report.Error.Reason; // never reached the input topic: not the worker's to lose
                    }
                    else if (OffsetStore.IsImplicitAcknowledgement(report.Error, report.Offset))
                    {
                        ImplicitlyAcknowledged[written] = report.Partition.Value; // the mock may never have appended it (ChaosAudit)
                    }
                });
                Volatile.Write(ref _next, seq + 1);
            }

            _producer.Flush(TimeSpan.FromMinutes(5));
        })
        { IsBackground = true, Name = "chaos-producer" };
        _thread.Start();
    }

    /// <summary>Alerts the input producer could not write, with the reason.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<int, string> NotWritten { get; } = new();

    /// <summary>Alerts librdkafka acknowledged implicitly (a success without an offset), with their partition.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<int, int> ImplicitlyAcknowledged { get; } = new();

    /// <summary>The sequence number the next alert gets (so alerts 0..Next-1 have been handed to the producer).</summary>
    public int Next => Volatile.Read(ref _next);

    public void Stop()
    {
        if (!_stopped)
        {
            _stopped = true;
            _thread.Join();
        }
    }

    public void Dispose()
    {
        Stop();
        _producer.Dispose();
    }
}
