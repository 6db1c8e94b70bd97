using System.Text.Json;
using System.Text.RegularExpressions;
using Confluent.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// After a chaos run: the evidence for each alert the reader never saw, and which of them the mock broker lost.
/// librdkafka acknowledges a batch implicitly (a success without an offset) when a later batch of the same partition
/// succeeds after it failed with an uncertain outcome; a real broker checks idempotent sequence numbers and accepts the
/// later batch only after the earlier one. librdkafka's mock checks sequences only for transactional producers
/// (rd_kafka_mock_validate_records), so with injected produce errors it appends the later batch, and the earlier one,
/// acknowledged implicitly, is never written. The worker logs each implicit acknowledgement with its input (event 1031)
/// and the input stream records its own, so such an alert is counted apart from one the worker lost.
/// </summary>
internal static partial class ChaosAudit
{
    /// <summary>Input positions (<c>chaos-in [[7]] @720</c>) whose output the workers saw acknowledged implicitly.</summary>
    public static HashSet<string> ImplicitOutputs(string logs)
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(logs, "worker-*.log"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite); // a worker may still hold it
            using var reader = new StreamReader(stream);
            while (reader.ReadLine() is { } line)
            {
                if (ImplicitLine().Match(line) is { Success: true } match)
                {
                    found.Add(match.Groups["source"].Value);
                }
            }
        }

        return found;
    }

    /// <summary>
    /// Prints what is known of each alert in <paramref name="missing"/> and of every implicit acknowledgement; returns the
    /// missing alerts that were acknowledged implicitly and never appended (the mock broker's loss, not the worker's).
    /// </summary>
    public static HashSet<int> Run(string bootstrap, List<int> missing, HashSet<string> implicitOutputs, IReadOnlyDictionary<int, int> implicitInputs)
    {
        var lostByBroker = new HashSet<int>();
        if (missing.Count == 0 && implicitOutputs.Count == 0)
        {
            return lostByBroker;
        }

        var input = ReadAll(bootstrap, "chaos-in");
        var output = ReadAll(bootstrap, "chaos-out");
        var seqAt = input.ToDictionary(i => i.Value.ToString(), i => i.Key, StringComparer.Ordinal);
        var absent = implicitOutputs.Count(position => !seqAt.TryGetValue(position, out var seq) || !output.ContainsKey(seq));
        Console.WriteLine($"  implicit acknowledgements: {implicitOutputs.Count} outputs (their inputs in the workers' logs), {absent} of them absent from chaos-out; "
            + $"{implicitInputs.Count} inputs");
        using var group = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "ipenrich-chaos" }).Build();
        foreach (var seq in missing)
        {
            var where = input.GetValueOrDefault(seq);
            Offset? committed = where is null ? null : group.Committed([where.TopicPartition], TimeSpan.FromSeconds(10)).Single().Offset;
            var inOutput = output.TryGetValue(seq, out var o);
            var brokerLost = !inOutput && (where is null ? implicitInputs.ContainsKey(seq) : implicitOutputs.Contains(where.ToString()));
            if (brokerLost)
            {
                lostByBroker.Add(seq);
            }

            Console.WriteLine($"  audit: seq {seq} input {where?.ToString() ?? "absent"}; output {(inOutput ? $"{o} (the reader missed it)" : "absent")}; "
                + $"group committed {committed?.ToString() ?? "-"}"
                + (brokerLost ? $"; its {(where is null ? "input" : "output")} was acknowledged implicitly and never appended: lost by the mock broker" : ""));
        }

        return lostByBroker;
    }

    /// <summary>seq → first position, reading every partition of <paramref name="topic"/> from the start to its end.</summary>
    private static Dictionary<int, TopicPartitionOffset> ReadAll(string bootstrap, string topic)
    {
        var found = new Dictionary<int, TopicPartitionOffset>();
        using var consumer = new ConsumerBuilder<Ignore, byte[]>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "chaos-audit", EnableAutoCommit = false }).Build();
        using var admin = new DependentAdminClientBuilder(consumer.Handle).Build();
        var partitions = admin.GetMetadata(topic, TimeSpan.FromSeconds(10)).Topics[0].Partitions.Select(p => new TopicPartition(topic, p.PartitionId)).ToList();
        foreach (var partition in partitions)
        {
            var end = consumer.QueryWatermarkOffsets(partition, TimeSpan.FromSeconds(10)).High;
            consumer.Assign(new TopicPartitionOffset(partition, Offset.Beginning));
            while (consumer.Consume(TimeSpan.FromSeconds(5)) is { } record)
            {
                using var document = JsonDocument.Parse(record.Message.Value);
                found.TryAdd(document.RootElement.GetProperty("seq").GetInt32(), record.TopicPartitionOffset);
                if (record.Offset.Value >= end - 1)
                {
                    break;
                }
            }
        }

        return found;
    }

    [GeneratedRegex(@"Output for (?<source>\S+ \[\[\d+\]\] @\d+) acknowledged implicitly")]
    private static partial Regex ImplicitLine();
}
