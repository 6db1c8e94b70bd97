using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text;
using Confluent.Kafka;
using IpEnrich.Emulator.Data;
using IpEnrich.Emulator.Hosting;
using IpEnrich.Emulator.Options;
using IpEnrich.Demo.MockKafka;
using IpEnrich.Worker.Backlog;
using IpEnrich.Worker.Cli;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Quota;

namespace IpEnrich.Demo;

/// <summary>
/// <c>dotnet run --project src/IpEnrich.Demo</c>: the whole product on embedded defaults. An in-process mock Kafka cluster (or <c>--kafka</c>),
/// the Defender API emulator with a synthetic estate, the worker in single-instance mode (or <c>--redis</c>); it
/// produces the project's sample alerts and a synthetic stream, prints a live progress line, a few enriched alerts
/// and the first late update for a sample alert (late updates go to <c>alerts-updates</c>).
/// </summary>
internal static class DemoCommand
{
    private const string Input = "alerts";
    private const string Output = "alerts-enriched";
    private const string DeadLetter = "alerts-dead-letter";
    private const string Updates = "alerts-updates";
    private const string SyntheticKeyPrefix = "host-";
    private const int EstateIps = 5000;

    public static RootCommand Create()
    {
        var redis = new Option<string?>("--redis") { Description = "Use this Redis (StackExchange.Redis connection string) instead of the in-memory mode." };
        var kafka = new Option<string?>("--kafka") { Description = "Use this Kafka (bootstrap servers) instead of the in-process mock cluster." };
        var duration = new Option<int>("--duration") { Description = "Stop after this many seconds (default: run until Ctrl+C).", DefaultValueFactory = _ => 0 };
        var rate = new Option<int>("--rate") { Description = "Synthetic alerts per second.", DefaultValueFactory = _ => 200 };
        var command = new RootCommand("IpEnrich end to end on embedded defaults: mock Kafka, the Defender API emulator, the worker.") { redis, kafka, duration, rate };
        command.SetAction((parse, cancellationToken) => RunAsync(parse.GetValue(redis), parse.GetValue(kafka), parse.GetValue(duration), parse.GetValue(rate), Console.Out, cancellationToken));
        return command;
    }

    public static async Task<int> RunAsync(string? redis, string? kafka, int durationSeconds, int rate, TextWriter output, CancellationToken cancellationToken)
    {
        using var cluster = kafka is null ? new MockKafkaCluster() : null;
        var bootstrap = kafka ?? cluster!.BootstrapServers;
        cluster?.CreateTopic(Input, 8);
        cluster?.CreateTopic(Output, 8);
        cluster?.CreateTopic(DeadLetter, 1);
        cluster?.CreateTopic(Updates, 8);

        await using var emulator = EmulatorApp.Create(["--urls", "https://127.0.0.1:0", "--synthetic-devices", "2000",
            "--synthetic-ips", EstateIps.ToString(CultureInfo.InvariantCulture), "--seed", "1", "--Logging:LogLevel:Default=Warning"]);
        await emulator.StartAsync(cancellationToken);
        var apiBase = emulator.Addresses()[0].ToString().TrimEnd('/');
        var caFile = Path.Combine(Path.GetTempPath(), $"ipenrich-demo-{Environment.ProcessId}.pem");
        await File.WriteAllTextAsync(caFile, emulator.Services.GetRequiredService<EmulatorCertificate>().Certificate.ExportCertificatePem(), cancellationToken);

        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = bootstrap,
            ["Kafka:InputTopic"] = Input,
            ["Kafka:OutputTopic"] = Output,
            ["Kafka:DeadLetterTopic"] = DeadLetter,
            ["Kafka:GroupId"] = "ipenrich-demo",
            ["Enrichment:UpdatesTopic"] = Updates,
            ["Defender:TenantId"] = EmulatorOptions.DefaultTenantId,
            ["Defender:ClientId"] = EmulatorOptions.DefaultClientId,
            ["Defender:ClientSecret"] = EmulatorOptions.DefaultClientSecret,
            ["Defender:AuthorityHost"] = apiBase,
            ["Defender:BaseUrl"] = apiBase,
            ["Defender:CaCertificatePath"] = caFile,
            // The emulator answers advanced hunting too: the backlog drains in batches, so answers come within seconds.
            ["Bulk:Enabled"] = "true",
            ["Defender:GraphBaseUrl"] = apiBase,
            ["Redis:ConnectionString"] = redis,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        await using var worker = WorkerHost.Build(["--urls", "http://127.0.0.1:0"], settings);
        using var counts = new DemoLookupCounts();
        await worker.StartAsync(cancellationToken);
        var pipeline = worker.Services.GetRequiredService<KafkaPipeline>();
        var quota = worker.Services.GetRequiredService<IQuotaGate>();
        var backlog = worker.Services.GetRequiredService<BacklogScheduler>();
        await output.WriteLineAsync($"IpEnrich demo: Kafka {bootstrap} ({(cluster is null ? "external" : "in-process mock cluster")}), Defender API emulator {apiBase}, " +
            $"Redis {(redis is null ? "none (in-memory mode)" : "configured")}, worker endpoints {string.Join(' ', worker.Urls)} (/metrics, /health/ready). Ctrl+C to stop.");

        // Ctrl+C / SIGTERM reach the hosts' console lifetime, which signals ApplicationStopping: stop on any of them.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, worker.Lifetime.ApplicationStopping, emulator.Lifetime.ApplicationStopping);
        if (durationSeconds > 0)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(durationSeconds));
        }

        var producing = ProduceAsync(bootstrap, rate, stop.Token);
        var showing = DemoViewer.ShowEnrichedAsync(bootstrap, Output, output, count: 3, stop.Token);
        var showingUpdate = DemoViewer.ShowFirstSampleUpdateAsync(bootstrap, Updates, SyntheticKeyPrefix, output, stop.Token);
        var previous = 0L;
        var watch = Stopwatch.StartNew();
        while (!stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), stop.Token);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            var delivered = pipeline.Delivered;
            var (minute, hour) = quota.Remaining;
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"[{watch.Elapsed:mm\\:ss}] {(delivered - previous) / 2.0,7:N0} alerts/s | {delivered,8:N0} published | cache hit {counts.HitRatio,6:P1} | API calls {counts.ApiCalls,6:N0} | quota left {minute}/min {hour}/h | backlog {backlog.Snapshot.Total,5:N0} | late updates {pipeline.LateUpdates,6:N0}"));
            previous = delivered;
        }

        await producing;
        await showing;
        await showingUpdate;
        await worker.StopAsync(CancellationToken.None);
        await emulator.StopAsync(CancellationToken.None);
        File.Delete(caFile);
        await output.WriteLineAsync($"Stopped: {pipeline.Consumed:N0} alerts consumed, {pipeline.Delivered:N0} published (enriched or dead-lettered), {counts.ApiCalls:N0} API calls, {pipeline.LateUpdates:N0} late updates.");
        return IpEnrichCommandLine.ExitOk;
    }

    /// <summary>The embedded samples (one per format), then synthetic alerts whose IPs follow the estate's Zipf skew.</summary>
    private static async Task ProduceAsync(string bootstrap, int rate, CancellationToken cancellationToken)
    {
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5 }).Build();
        foreach (var (name, alert) in Samples())
        {
            producer.Produce(Input, new Message<string, string> { Key = name, Value = alert });
        }

        var estate = SyntheticEstate.Addresses(EstateIps, 1);
        var zipf = new ZipfSampler(EstateIps, SyntheticEstate.ZipfExponent);
        var random = new Random(7);
        var n = 0;
        var watch = Stopwatch.StartNew();
        while (!cancellationToken.IsCancellationRequested)
        {
            var due = (long)(watch.Elapsed.TotalSeconds * Math.Max(1, rate));
            for (; n < due; n++)
            {
                var a = estate[zipf.Sample(random)];
                var b = random.Next(4) == 0 ? $"198.51.100.{random.Next(1, 255)}" : estate[zipf.Sample(random)].ToString();
                producer.Produce(Input, new Message<string, string> { Key = $"{SyntheticKeyPrefix}{n % 64}", Value = SyntheticAlert(n, a.ToString(), b, random) });
            }

            try
            {
                await Task.Delay(50, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        producer.Flush(TimeSpan.FromSeconds(5));
    }

    private static string SyntheticAlert(int n, string a, string b, Random random) => (n % 3) switch
    {
        0 => $$"""{"id":"da{{n:D12}}","title":"Suspicious connection","severity":"{{(random.Next(5) == 0 ? "High" : "Medium")}}","evidence":[{"entityType":"Ip","ipAddress":"{{a}}"}],"description":"Process connected to {{b}} on port 443."}""",
        1 => $$$"""{"timestamp":"2026-11-23T10:00:00.000000+0000","event_type":"alert","src_ip":"{{{a}}}","src_port":{{{random.Next(1024, 65535)}}},"dest_ip":"{{{b}}}","dest_port":80,"alert":{"severity":{{{random.Next(1, 4)}}},"signature":"ET POLICY demo rule {{{n % 97}}}"}}""",
        _ => $$$"""{"@timestamp":"2026-11-23T10:00:00.000Z","event":{"kind":"alert","severity":{{{random.Next(0, 100)}}}},"source":{"ip":"{{{a}}}"},"destination":{"ip":"{{{b}}}"},"host":{"ip":["{{{a}}}","127.0.0.1"]}}""",
    };

    private static IEnumerable<(string Name, string Alert)> Samples()
    {
        var assembly = Assembly.GetExecutingAssembly();
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("samples/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var reader = new StreamReader(assembly.GetManifestResourceStream(name)!);
            var text = reader.ReadToEnd();
            var alerts = name.EndsWith(".ndjson", StringComparison.Ordinal)
                ? text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
                : [text];
            foreach (var alert in alerts)
            {
                yield return (name["samples/".Length..], alert);
            }
        }
    }
}
