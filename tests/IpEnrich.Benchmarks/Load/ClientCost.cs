using System.Globalization;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using IpEnrich.Core.Enrichment;
using IpEnrich.Demo.MockKafka;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// What Confluent's managed produce path costs the worker over librdkafka's own C API. Every side sends the same
/// enriched-size records with the contract's headers behind one input header, from one thread that also serves the
/// delivery reports (the worker's <see cref="ProducingThread"/>), with the worker's producer settings:
/// <list type="bullet">
/// <item><c>confluent</c>, as the worker does it: the output copied into an array of its length, the header list
/// built by <see cref="AlertHeaders.WithStatus"/>, a delivery handler per record;</item>
/// <item><c>confluent, value not copied</c>: one value array for every record, to part the array's cost from the client's;</item>
/// <item><c>native, as a drop-in</c>: <see cref="NativeProducer"/> behind Confluent's types, as a replacement the
/// pipeline could call unchanged: the record's array, its header values copied to pinned scratch, a handle to its
/// handler as the opaque, a delivery report built for it;</item>
/// <item><c>native</c>: the output produced from the buffer it was written in, the contract's headers as fixed
/// pointers, the reports counted by an unmanaged callback.</item>
/// </list>
/// Two more sides send what the bare copy sends (the input's 1 KB and its header, the consumed array as it is) through
/// each client, for the floor the worker is measured against. Rotated rounds; the CPU of this process's threads other than the mock broker's, divided by the records.
/// </summary>
internal static unsafe class ClientCost
{
    private const int OutputBytes = 1700; // a load alert with its enrichment object
    private const int InputBytes = 1024; // a load alert as the bare copy sends it on
    private const int ProducesPerPoll = 64; // as ProducingThread

    private static readonly AlertTriage Triage = new(Rarity.Rare, 0);
    private static readonly byte[] Key = "alert-key"u8.ToArray();

    private const string Usage = "usage: client-cost [--rounds N] [--messages M] [--only SIDE]";

    private static readonly Dictionary<string, OptionKind> Options = new()
    {
        ["--rounds"] = OptionKind.Integer,
        ["--messages"] = OptionKind.Integer,
        ["--only"] = OptionKind.Text,
    };

    public static int Run(string[] args)
    {
        if (HarnessArgs.Problem(args, Options) is { } problem)
        {
            return HarnessArgs.Refuse(Usage, problem);
        }

        var rounds = int.Parse(HarnessArgs.Value(args, "--rounds") ?? "12", CultureInfo.InvariantCulture);
        var records = int.Parse(HarnessArgs.Value(args, "--messages") ?? "300000", CultureInfo.InvariantCulture);
        using var cluster = new MockKafkaCluster();
        var sides = new (string Name, string Against, Func<ProducerConfig, string, int, long> Send)[]
        {
            ("confluent", "confluent", (s, t, n) => ViaConfluent(s, t, n, copyValue: true, contract: true)),
            ("confluent, value not copied", "confluent", (s, t, n) => ViaConfluent(s, t, n, copyValue: false, contract: true)),
            ("native, as a drop-in", "confluent", ViaNativeDropIn),
            ("native", "confluent", (s, t, n) => ViaNative(s, t, n, contract: true)),
            ("bare copy, confluent", "bare copy, confluent", (s, t, n) => ViaConfluent(s, t, n, copyValue: false, contract: false)),
            ("bare copy, native", "bare copy, confluent", (s, t, n) => ViaNative(s, t, n, contract: false)),
        };
        if (HarnessArgs.Value(args, "--only") is { } only)
        {
            if (!sides.Any(s => s.Name == only))
            {
                return HarnessArgs.Refuse(Usage, $"--only: one of {string.Join(", ", sides.Select(s => $"'{s.Name}'"))}, not '{only}'");
            }

            sides = [.. sides.Where(s => s.Name == only)]; // one side alone, to profile it
        }

        var settings = WorkerClients.ProducerSettings([new("Kafka:BootstrapServers", cluster.BootstrapServers),
            new("Kafka:InputTopic", "unused"), new("Kafka:OutputTopic", "client-cost"), new("Kafka:DeadLetterTopic", "dlq"),
            new("Kafka:GroupId", "client-cost")]);
        var perRecord = sides.ToDictionary(s => s.Name, _ => new List<double>());
        for (var round = 0; round <= rounds; round++)
        {
            for (var turn = 0; turn < sides.Length; turn++)
            {
                var (name, _, send) = sides[(turn + round) % sides.Length];
                var topic = $"client-cost-{round}-{turn}";
                cluster.CreateTopic(topic, partitions: 8);
                var cpu = Measure(name, records, settings, topic, send);
                if (round > 0) // the first round warms the runtime up
                {
                    perRecord[name].Add(cpu.TotalMicroseconds / records);
                }
            }
        }

        Report(perRecord, sides.ToDictionary(s => s.Name, s => s.Against), rounds);
        return 0;
    }

    /// <summary>The CPU one side takes, from building its producer to its last report, to send and deliver every record.</summary>
    private static TimeSpan Measure(string side, int records, ProducerConfig settings, string topic, Func<ProducerConfig, string, int, long> send)
    {
        var before = ProcessCpu.OutsideTheMockBroker();
        var delivered = send(settings, topic, records);
        var cpu = ProcessCpu.SpentSince(before, ProcessCpu.OutsideTheMockBroker());
        return delivered == records ? cpu : throw new InvalidOperationException($"{side}: {delivered} of {records} delivered");
    }

    /// <param name="copyValue">As the worker: each record's value a new array of its length; else one array for all.</param>
    /// <param name="contract">The worker's output and headers; else the bare copy's: the input's bytes and headers as consumed.</param>
    /// <returns>The records delivered.</returns>
    private static long ViaConfluent(ProducerConfig settings, string topic, int records, bool copyValue, bool contract)
    {
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(settings).Build();
        var output = Value(contract ? OutputBytes : InputBytes);
        long delivered = 0;
        for (var i = 0; i < records; i++)
        {
            var message = Record(copyValue ? output.AsSpan().ToArray() : output, i, contract);
            QueueFull.Produce(producer, topic, message, report => delivered += report.Error.IsError ? 0 : 1); // a delegate per record, as the worker's
            if (i % ProducesPerPoll == 0)
            {
                producer.Poll(TimeSpan.Zero);
            }
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        return delivered;
    }

    private static long ViaNativeDropIn(ProducerConfig settings, string topic, int records)
    {
        using var producer = new NativeProducer(settings, topic);
        var output = Value(OutputBytes);
        var names = new HeaderNames();
        var scratch = GC.AllocateArray<byte>(4096, pinned: true); // the record's header values, copied
        var headers = new (nint Name, nint Value, int Length)[8];
        long delivered = 0;
        for (var i = 0; i < records; i++)
        {
            var message = Record(output.AsSpan().ToArray(), i, contract: true);
            var used = 0;
            for (var h = 0; h < message.Headers.Count; h++)
            {
                var value = message.Headers[h].GetValueBytes();
                value.CopyTo(scratch, used);
                headers[h] = (names.Of(message.Headers[h].Key), Marshal.UnsafeAddrOfPinnedArrayElement(scratch, used), value.Length);
                used += value.Length;
            }

            var handler = NativeProducer.Handler(report => delivered += report.Error.IsError ? 0 : 1);
            producer.Produce(message.Key, message.Value, message.Timestamp.UnixTimestampMs, handler, headers.AsSpan(0, message.Headers.Count));
            if (i % ProducesPerPoll == 0)
            {
                producer.Poll();
            }
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        return delivered;
    }

    /// <param name="contract">The worker's output and headers; else the bare copy's.</param>
    private static long ViaNative(ProducerConfig settings, string topic, int records, bool contract)
    {
        var first = NativeProducer.Delivered;
        using var producer = new NativeProducer(settings, topic);
        var output = Value(contract ? OutputBytes : InputBytes);
        var added = contract ? AlertHeaders.WithStatus(null, AlertEnrichmentStatus.Complete, Triage) : [];
        var names = new HeaderNames();
        var headers = new (nint Name, nint Value, int Length)[1 + added.Count];
        for (var h = 0; h < added.Count; h++)
        {
            // The contract's values are shared by every record: held where they never move, once.
            var pinned = GC.AllocateArray<byte>(added[h].GetValueBytes().Length, pinned: true);
            added[h].GetValueBytes().CopyTo(pinned, 0);
            headers[1 + h] = (names.Of(added[h].Key), Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), pinned.Length);
        }

        for (var i = 0; i < records; i++)
        {
            var input = Input(i)[0];
            var sentAt = input.GetValueBytes();
            fixed (byte* value = sentAt)
            {
                headers[0] = (names.Of(input.Key), (nint)value, sentAt.Length);
                producer.Produce(Key, output, i, 0, headers);
            }

            if (i % ProducesPerPoll == 0)
            {
                producer.Poll();
            }
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        return NativeProducer.Failed == 0 ? NativeProducer.Delivered - first : 0;
    }

    private static void Report(Dictionary<string, List<double>> perRecord, Dictionary<string, string> against, int rounds)
    {
        foreach (var (name, values) in perRecord)
        {
            var spread = values.Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-28}: {spread[spread.Count / 2]:F2} ({spread[0]:F2}–{spread[^1]:F2}) µs of CPU per record outside the mock broker ({rounds} rounds)"));
        }

        foreach (var (name, values) in perRecord.Where(side => against[side.Key] != side.Key && perRecord.ContainsKey(against[side.Key])))
        {
            var reference = against[name];
            var ratios = values.Zip(perRecord[reference], (other, baseline) => other / baseline).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} / {reference}, round by round: {ratios[ratios.Count / 2]:F3} ({ratios[0]:F3}–{ratios[^1]:F3})"));
        }
    }


    private static byte[] Value(int bytes)
    {
        var value = new byte[bytes];
        Array.Fill(value, (byte)'a');
        return value;
    }

    /// <summary>Record <paramref name="i"/> as Confluent's producer takes it: with the contract's headers, or the input's alone (the bare copy).</summary>
    private static Message<byte[]?, byte[]?> Record(byte[] value, int i, bool contract) => new()
    {
        Key = Key,
        Value = value,
        Timestamp = new Timestamp(i, TimestampType.CreateTime),
        Headers = contract ? AlertHeaders.WithStatus(Input(i), AlertEnrichmentStatus.Complete, Triage) : Input(i),
    };

    /// <summary>A consumed alert's headers: the load's <c>sent-at</c>, a new value each.</summary>
    private static Headers Input(int i) => new() { { "sent-at", BitConverter.GetBytes((long)i) } };

    /// <summary>Each header name once as librdkafka reads it (<see cref="NativeProducer.HeaderName"/>), looked up by its text.</summary>
    private sealed class HeaderNames
    {
        private readonly Dictionary<string, nint> _names = new(StringComparer.Ordinal);

        public nint Of(string name)
        {
            ref var pointer = ref CollectionsMarshal.GetValueRefOrAddDefault(_names, name, out var known);
            if (!known)
            {
                pointer = NativeProducer.HeaderName(name);
            }

            return pointer;
        }
    }
}
