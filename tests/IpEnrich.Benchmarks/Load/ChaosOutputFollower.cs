using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>What the output held for one input: how often, the first status and how long it took.</summary>
internal sealed class SeenAlert(string status, double latencyMs)
{
    public int Count { get; set; } = 1;

    public string Status { get; } = status;

    public double FirstLatencyMs { get; } = latencyMs;

    public string? Where { get; init; }
}

/// <summary>Reads the output topic from the start on a dedicated thread for the whole run.</summary>
internal sealed class OutputFollower(string bootstrap, string topic)
{
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _distinct;
    private int _reported;

    public Dictionary<int, SeenAlert> Seen { get; } = [];

    public int Distinct => Volatile.Read(ref _distinct);

    public void Start() => new Thread(Follow) { IsBackground = true, Name = "chaos-reader" }.Start();

    public async Task StopAsync()
    {
        await _stop.CancelAsync();
        await _done.Task;
    }

    private void Follow()
    {
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig
        {
            BootstrapServers = bootstrap, GroupId = "chaos-reader", AutoOffsetReset = AutoOffsetReset.Earliest, FetchWaitMaxMs = 10,
        }).Build();
        consumer.Subscribe(topic);
        while (!_stop.IsCancellationRequested)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is not { } record)
            {
                continue;
            }

            var latency = record.Message.Headers.TryGetLastBytes("sent-at", out var sent) ? Stopwatch.GetElapsedTime(BitConverter.ToInt64(sent)).TotalMilliseconds : double.NaN;
            using var document = JsonDocument.Parse(record.Message.Value);
            var seq = document.RootElement.GetProperty("seq").GetInt32();
            if (Seen.TryGetValue(seq, out var seen))
            {
                if (++seen.Count == 2 && ++_reported <= 3)
                {
                    Console.WriteLine($"  duplicate: seq {seq} again at {record.TopicPartitionOffset} ({Status(document.RootElement.GetProperty("ipEnrichment"))}; first {seen.Status} at {seen.Where})");
                }

                continue;
            }

            Seen[seq] = new SeenAlert(Status(document.RootElement.GetProperty("ipEnrichment")), latency) { Where = record.TopicPartitionOffset.ToString() };
            Interlocked.Increment(ref _distinct);
        }

        consumer.Close();
        _done.SetResult();
    }

    /// <summary><c>complete</c>, or the alert's status with the reasons its IPs were not answered (<c>partial:outage</c>).</summary>
    private static string Status(JsonElement enrichment)
    {
        var status = enrichment.GetProperty("status").GetString()!;
        var reasons = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var ip in enrichment.GetProperty("ips").EnumerateArray())
        {
            if (ip.TryGetProperty("reason", out var reason) && reason.GetString() is { } text)
            {
                reasons.Add(text);
            }
        }

        return reasons.Count == 0 ? status : $"{status}:{string.Join('+', reasons)}";
    }
}
