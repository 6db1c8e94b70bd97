using System.Globalization;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using IpEnrich.Core.Enrichment;
using IpEnrich.Demo.MockKafka;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// What Confluent's managed produce path costs the worker over librdkafka's own C API. Both sides send the same
/// enriched-size records with the contract's headers behind one input header, from one thread that also serves the
/// delivery reports (the worker's <see cref="ProducingThread"/>), with the worker's producer settings (<see cref="WorkerClients"/>):
/// <list type="bullet">
/// <item><c>confluent</c>, as the worker does it: the output copied into an array of its length, the header list
/// built by <see cref="AlertHeaders.WithStatus"/>, a delivery handler per record;</item>
/// <item><c>native</c>: the output produced from the buffer it was written in, the headers passed as pointers, the
/// reports counted by an unmanaged callback (<see cref="NativeProducer"/>).</item>
/// </list>
/// A third side, Confluent with one value array for every record, parts the array's cost from the client's.
/// Interleaved rounds; the CPU of this process's threads other than the mock broker's, divided by the records.
/// </summary>
internal static unsafe class ClientCost
{
    private const int ValueBytes = 1700; // a load alert with its enrichment object
    private const int ProducesPerPoll = 64; // as ProducingThread

    private static readonly AlertTriage Triage = new(Rarity.Rare, 0);

    public static int Run(string[] args)
    {
        var rounds = int.Parse(HarnessArgs.Value(args, "--rounds") ?? "5", CultureInfo.InvariantCulture);
        var records = int.Parse(HarnessArgs.Value(args, "--messages") ?? "200000", CultureInfo.InvariantCulture);
        using var cluster = new MockKafkaCluster();
        var sides = new (string Name, Func<string, string, int, TimeSpan> Produce)[]
        {
            ("confluent", (b, t, n) => ViaConfluent(b, t, n, copyValue: true)),
            ("confluent, value not copied", (b, t, n) => ViaConfluent(b, t, n, copyValue: false)),
            ("native, as a drop-in", ViaNativeDropIn),
            ("native", ViaNative),
        };
        var perRecord = sides.ToDictionary(s => s.Name, _ => new List<double>());
        for (var round = 0; round <= rounds; round++)
        {
            foreach (var (name, produce) in sides.Skip(round % sides.Length).Concat(sides.Take(round % sides.Length)))
            {
                var topic = $"client-{name}-{round}";
                cluster.CreateTopic(topic, partitions: 8);
                var cpu = produce(cluster.BootstrapServers, topic, records);
                if (round > 0) // the first round warms the runtime up
                {
                    perRecord[name].Add(cpu.TotalMicroseconds / records);
                }
            }
        }

        foreach (var (name, _) in sides)
        {
            var spread = perRecord[name].Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name,-28}: {spread[spread.Count / 2]:F2} ({spread[0]:F2}–{spread[^1]:F2}) µs of CPU per record outside the mock broker ({rounds} rounds)"));
        }

        foreach (var (name, _) in sides.Skip(1))
        {
            var ratios = perRecord[name].Zip(perRecord["confluent"], (other, confluent) => other / confluent).Order().ToList();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{name} / confluent, round by round: {ratios[ratios.Count / 2]:F3} ({ratios[0]:F3}–{ratios[^1]:F3})"));
        }

        return 0;
    }

    /// <summary>The worker's own clients (its client factory, reports served by the thread that produces).</summary>
    private static WorkerClients Clients(string bootstrap, string topic) => WorkerClients.Build([new("Kafka:BootstrapServers", bootstrap),
        new("Kafka:InputTopic", "unused"), new("Kafka:OutputTopic", topic), new("Kafka:DeadLetterTopic", "dlq"), new("Kafka:GroupId", "client-cost"),
        new("Kafka:ProducerSettings:dotnet.producer.enable.background.poll", "false")]);

    /// <param name="copyValue">As the worker: each record's value a new array of its length; else one array for all.</param>
    private static TimeSpan ViaConfluent(string bootstrap, string topic, int records, bool copyValue)
    {
        using var clients = Clients(bootstrap, topic);
        var producer = clients.Producer;
        var output = Output();
        var key = "alert-key"u8.ToArray();
        long delivered = 0;
        var before = ProcessCpu.OutsideTheMockBroker();
        for (var i = 0; i < records; i++)
        {
            var message = new Message<byte[]?, byte[]?>
            {
                Key = key,
                Value = copyValue ? output.AsSpan().ToArray() : output,
                Timestamp = new Timestamp(i, TimestampType.CreateTime),
                Headers = AlertHeaders.WithStatus(Input(i), AlertEnrichmentStatus.Complete, Triage),
            };
            while (!TryProduce(producer, topic, message, report => delivered += report.Error.IsError ? 0 : 1)) // a delegate per record, as the worker's
            {
                producer.Poll(TimeSpan.FromMilliseconds(5));
            }

            if (i % ProducesPerPoll == 0)
            {
                producer.Poll(TimeSpan.Zero);
            }
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        var cpu = ProcessCpu.SpentSince(before, ProcessCpu.OutsideTheMockBroker());
        return delivered == records ? cpu : throw new InvalidOperationException($"confluent: {delivered} of {records} delivered");
    }

    private static TimeSpan ViaNative(string bootstrap, string topic, int records)
    {
        var first = NativeProducer.Delivered;
        using var producer = Native(bootstrap, topic);
        var output = Output();
        var key = "alert-key"u8.ToArray();
        var status = Pinned(AlertHeaders.WithStatus(null, AlertEnrichmentStatus.Complete, Triage));
        var names = new Dictionary<string, nint>(StringComparer.Ordinal); // an input header's name, made once
        var headers = new (nint Name, nint Value, int Length)[3];
        var before = ProcessCpu.OutsideTheMockBroker();
        for (var i = 0; i < records; i++)
        {
            var input = Input(i)[0];
            var sentAt = input.GetValueBytes();
            fixed (byte* value = sentAt)
            {
                headers[0] = (NameOf(names, input.Key), (nint)value, sentAt.Length);
                headers[1] = status[0];
                headers[2] = status[1];
                producer.Produce(key, output, i, 0, headers);
            }

            if (i % ProducesPerPoll == 0)
            {
                producer.Poll();
            }
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        var cpu = ProcessCpu.SpentSince(before, ProcessCpu.OutsideTheMockBroker());
        var delivered = NativeProducer.Delivered - first;
        return delivered == records && NativeProducer.Failed == 0 ? cpu : throw new InvalidOperationException($"native: {delivered} of {records} delivered");
    }

    /// <summary>
    /// The native producer behind Confluent's own types, as a replacement the pipeline could call unchanged: the
    /// record's array and header list pinned while it is produced, a handle to its handler as the opaque, and a
    /// delivery report built for it.
    /// </summary>
    private static TimeSpan ViaNativeDropIn(string bootstrap, string topic, int records)
    {
        var first = NativeProducer.Delivered;
        using var producer = Native(bootstrap, topic);
        var output = Output();
        var key = "alert-key"u8.ToArray();
        var names = new Dictionary<string, nint>(StringComparer.Ordinal);
        long reported = 0;
        var pins = new GCHandle[8];
        var headers = new (nint Name, nint Value, int Length)[8];
        var before = ProcessCpu.OutsideTheMockBroker();
        for (var i = 0; i < records; i++)
        {
            var message = new Message<byte[]?, byte[]?>
            {
                Key = key,
                Value = output.AsSpan().ToArray(),
                Timestamp = new Timestamp(i, TimestampType.CreateTime),
                Headers = AlertHeaders.WithStatus(Input(i), AlertEnrichmentStatus.Complete, Triage),
            };
            Action<DeliveryReport<byte[]?, byte[]?>> onDelivery = report => reported += report.Error.IsError ? 0 : 1;
            var opaque = NativeProducer.Handler(code => onDelivery(new DeliveryReport<byte[]?, byte[]?>
            {
                Error = new Error((ErrorCode)code),
                Status = code == 0 ? PersistenceStatus.Persisted : PersistenceStatus.NotPersisted,
                Message = message,
            }));
            var count = message.Headers.Count;
            for (var h = 0; h < count; h++)
            {
                var value = message.Headers[h].GetValueBytes();
                pins[h] = GCHandle.Alloc(value, GCHandleType.Pinned);
                headers[h] = (NameOf(names, message.Headers[h].Key), pins[h].AddrOfPinnedObject(), value.Length);
            }

            producer.Produce(message.Key, message.Value, i, opaque, headers.AsSpan(0, count));
            for (var h = 0; h < count; h++)
            {
                pins[h].Free();
            }

            if (i % ProducesPerPoll == 0)
            {
                producer.Poll();
            }
        }

        producer.Flush(TimeSpan.FromMinutes(1));
        var cpu = ProcessCpu.SpentSince(before, ProcessCpu.OutsideTheMockBroker());
        var delivered = NativeProducer.Delivered - first;
        return delivered == records && reported == records ? cpu : throw new InvalidOperationException($"native, as a drop-in: {reported} of {records} reported");
    }

    /// <summary>A native producer with the worker's producer settings; the worker's own clients are gone before it is measured.</summary>
    private static NativeProducer Native(string bootstrap, string topic)
    {
        using var clients = Clients(bootstrap, topic);
        return new NativeProducer(clients.ProducerSettings, topic);
    }

    private static byte[] Output()
    {
        var output = new byte[ValueBytes];
        Array.Fill(output, (byte)'a');
        return output;
    }

    /// <summary>A consumed alert's headers: the load's <c>sent-at</c>, a new value each.</summary>
    private static Headers Input(int i) => new() { { "sent-at", BitConverter.GetBytes((long)i) } };

    /// <summary>The contract's headers, held where they never move: the worker's values are shared by every record.</summary>
    private static (nint Name, nint Value, int Length)[] Pinned(Headers headers) => [.. headers.Select(h =>
    {
        var value = h.GetValueBytes();
        var pinned = GC.AllocateArray<byte>(value.Length, pinned: true);
        value.CopyTo(pinned, 0);
        return (NativeProducer.HeaderName(h.Key), Marshal.UnsafeAddrOfPinnedArrayElement(pinned, 0), value.Length);
    })];

    private static nint NameOf(Dictionary<string, nint> names, string name)
    {
        ref var pointer = ref CollectionsMarshal.GetValueRefOrAddDefault(names, name, out var known);
        if (!known)
        {
            pointer = NativeProducer.HeaderName(name);
        }

        return pointer;
    }

    private static bool TryProduce(IProducer<byte[]?, byte[]?> producer, string topic, Message<byte[]?, byte[]?> message, Action<DeliveryReport<byte[]?, byte[]?>> onDelivery)
    {
        try
        {
            producer.Produce(topic, message, onDelivery);
            return true;
        }
        catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
        {
            return false;
        }
    }
}
