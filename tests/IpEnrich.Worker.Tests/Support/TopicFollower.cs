using Confluent.Kafka;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>Reads a topic from the beginning of every partition (assigned, no group) for as long as the test runs.</summary>
public sealed class TopicFollower : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<Record> _records = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reading;

    public TopicFollower(string bootstrap, string topic, int partitions)
    {
        _reading = Task.Run(() =>
        {
            using var consumer = new ConsumerBuilder<string, string>(new ConsumerConfig
            {
                BootstrapServers = bootstrap, GroupId = "verify-" + Guid.NewGuid().ToString("N"), EnableAutoCommit = false,
            }).Build();
            consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            while (!_stop.IsCancellationRequested)
            {
                if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message: not null } r)
                {
                    lock (_lock)
                    {
                        _records.Add(new Record(r.Message.Key, r.Message.Value));
                    }
                }
            }

            consumer.Close();
        });
    }

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    public List<Record> Snapshot()
    {
        lock (_lock)
        {
            return [.. _records];
        }
    }

    /// <summary>Records by their alert (the key names it), each once.</summary>
    public List<Record> Distinct() => [.. Snapshot().DistinctBy(r => r.Key)];

    public void Dispose()
    {
        _stop.Cancel();
        _reading.Wait(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }

    public sealed record Record(string Key, string Value);
}
