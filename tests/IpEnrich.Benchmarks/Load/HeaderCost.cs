using System.Globalization;
using Confluent.Kafka;
using IpEnrich.Core.Enrichment;
using IpEnrich.Demo.MockKafka;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// What the output contract's headers cost the producer: the worker's own producer (its client factory's settings)
/// sends the same enriched-size values with none, one (<c>ipenrich-status</c>) or both of the contract's headers, in
/// interleaved rounds, and the CPU of this process's threads other than the mock broker's is divided by messages.
/// With <c>--poll-on-producer</c> the delivery reports (and librdkafka's frees of each message) are served on the
/// producing thread instead of Confluent's background poll thread.
/// </summary>
internal static class HeaderCost
{
    private const int ValueBytes = 1350; // a load alert with its enrichment object

    private const string Usage = "usage: header-cost [--rounds N] [--messages M] [--poll-on-producer]";

    private static readonly Dictionary<string, OptionKind> Options = new()
    {
        ["--rounds"] = OptionKind.Integer,
        ["--messages"] = OptionKind.Integer,
        ["--poll-on-producer"] = OptionKind.Flag,
    };

    public static int Run(string[] args)
    {
        if (HarnessArgs.Problem(args, Options) is { } problem)
        {
            return HarnessArgs.Refuse(Usage, problem);
        }

        var rounds = int.Parse(HarnessArgs.Value(args, "--rounds") ?? "5", CultureInfo.InvariantCulture);
        var messages = int.Parse(HarnessArgs.Value(args, "--messages") ?? "200000", CultureInfo.InvariantCulture);
        var pollHere = args.Contains("--poll-on-producer");
        using var cluster = new MockKafkaCluster();
        var headerSets = new[] { 0, 1, 2 };
        var perMessage = headerSets.ToDictionary(h => h, _ => new List<double>());
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var headers in headerSets)
            {
                var topic = $"headers-{headers}-{round}";
                cluster.CreateTopic(topic, partitions: 8);
                var cpu = Produce(cluster.BootstrapServers, topic, headers, messages, pollHere);
                if (round > 0) // the first round warms the runtime up
                {
                    perMessage[headers].Add(cpu.TotalMicroseconds / messages);
                }
            }
        }

        foreach (var headers in headerSets)
        {
            var spread = perMessage[headers].Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{headers} header(s): {spread[spread.Count / 2]:F2} ({spread[0]:F2}–{spread[^1]:F2}) µs of CPU per message outside the mock broker ({rounds} rounds)"));
        }

        return 0;
    }

    private static TimeSpan Produce(string bootstrap, string topic, int headers, int messages, bool pollHere)
    {
        using var clients = WorkerClients.Build([new("Kafka:BootstrapServers", bootstrap), new("Kafka:InputTopic", "unused"),
            new("Kafka:OutputTopic", topic), new("Kafka:DeadLetterTopic", "dlq"), new("Kafka:GroupId", "header-cost"),
            new("Kafka:ProducerSettings:dotnet.producer.enable.background.poll", pollHere ? "false" : "true")]);
        var value = new byte[ValueBytes];
        Array.Fill(value, (byte)'a');
        var key = "alert-key"u8.ToArray();
        var before = ProcessCpu.OutsideTheMockBroker();
        for (var i = 0; i < messages; i++)
        {
            var message = new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = Contract(headers) };
            QueueFull.Produce(clients.Producer, topic, message, static _ => { });

            if (pollHere && i % 64 == 0)
            {
                clients.Producer.Poll(TimeSpan.Zero); // delivery reports, and librdkafka's frees, on the producing thread
            }
        }

        clients.Producer.Flush(TimeSpan.FromMinutes(1));
        return ProcessCpu.SpentSince(before, ProcessCpu.OutsideTheMockBroker());
    }

    private static Headers? Contract(int headers) => headers switch
    {
        0 => null,
        1 => AlertHeaders.WithStatus(null, AlertEnrichmentStatus.Complete),
        _ => AlertHeaders.WithStatus(null, AlertEnrichmentStatus.Complete, new AlertTriage(Rarity.Rare, 0)),
    };
}
