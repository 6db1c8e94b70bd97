using System.Diagnostics;
using System.Globalization;
using System.Net;
using IpEnrich.Emulator.Data;
using IpEnrich.Testing;

namespace IpEnrich.Benchmarks.Emulator;

/// <summary>
/// Stats requests per second the emulator serves over loopback TLS with a synthetic estate loaded (quota off), and
/// managed memory per million events. Client and server share this machine's cores, as they would in a test run.
/// </summary>
public static class EmulatorThroughput
{
    private const string Usage = "usage: emulator [--events N] [--seconds S] [--concurrency C] [--http 1.1|2]";

    private static readonly Dictionary<string, OptionKind> Options = new()
    {
        ["--events"] = OptionKind.Integer,
        ["--seconds"] = OptionKind.Integer,
        ["--concurrency"] = OptionKind.Integer,
        ["--http"] = OptionKind.Text,
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (HarnessArgs.Problem(args, Options) is { } problem)
        {
            return HarnessArgs.Refuse(Usage, problem);
        }

        if (HarnessArgs.Value(args, "--http") is { } http and not ("1.1" or "2"))
        {
            return HarnessArgs.Refuse(Usage, $"--http: 1.1 or 2, not {http}");
        }

        var events = Option(args, "--events", 1_000_000);
        var seconds = Option(args, "--seconds", 10);
        var concurrency = Option(args, "--concurrency", 64);
        var version = HarnessArgs.Value(args, "--http") == "1.1" ? HttpVersion.Version11 : HttpVersion.Version20;
        var ips = Math.Max(1, events / 20);

        var memoryPerMillion = MeasureMemory(events, ips);
        await using var emulator = await RunningEmulator.StartAsync(
            "--synthetic-devices", "20000", "--synthetic-ips", ips.ToString(CultureInfo.InvariantCulture),
            "--synthetic-events", events.ToString(CultureInfo.InvariantCulture), "--Emulator:Quota:Enabled=false");
        // Real time for this run: the emulator's fake clock only starts at now; tokens stay valid for an hour.
        var token = await emulator.GetTokenAsync();
        var addresses = SyntheticEstate.Addresses(ips, 1);
        var zipf = new ZipfSampler(ips, SyntheticEstate.ZipfExponent);

        using var handler = TrustedTls.Handler(emulator.Certificate);
        handler.MaxConnectionsPerServer = concurrency;
        handler.EnableMultipleHttp2Connections = true;
        handler.PooledConnectionLifetime = Timeout.InfiniteTimeSpan;
        using var client = new HttpClient(handler) { BaseAddress = emulator.BaseAddress, DefaultRequestVersion = version, DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        var paths = Enumerable.Range(0, 4096).Select(i => $"api/ips/{addresses[zipf.Sample(new Random(i))]}/stats?lookBackHours=720").ToArray();
        await Drive(client, paths, concurrency, TimeSpan.FromSeconds(2)); // warm-up
        var stopwatch = Stopwatch.StartNew();
        var (ok, failed) = await Drive(client, paths, concurrency, TimeSpan.FromSeconds(seconds));
        stopwatch.Stop();

        var rate = ok / stopwatch.Elapsed.TotalSeconds;
        Console.WriteLine($"events loaded           : {events:N0} ({ips:N0} IPs, 20,000 devices)");
        Console.WriteLine($"managed memory / 1M evts: {memoryPerMillion:N1} MB");
        Console.WriteLine($"requests                : {ok:N0} OK, {failed:N0} failed in {stopwatch.Elapsed.TotalSeconds:N1} s, concurrency {concurrency}, HTTP/{version}");
        Console.WriteLine($"throughput              : {rate:N0} requests/s");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"events\":{events},\"http\":\"{version}\",\"requestsPerSec\":{rate:F0},\"failed\":{failed},\"memoryMbPerMillionEvents\":{memoryPerMillion:F1}}}"));
        return failed == 0 ? 0 : 1;
    }

    private static double MeasureMemory(int events, int ips)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        var store = new EventStore();
        SyntheticEstate.Generate(store, 20_000, ips, events, 1, DateTimeOffset.UtcNow);
        store.Query(IpEnrich.Core.Extraction.IpValue.FromAddress(SyntheticEstate.Addresses(1, 1)[0]), DateTimeOffset.UtcNow, TimeSpan.FromDays(30));
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(store);
        return (after - before) / 1e6 / (events / 1e6);
    }

    private static async Task<(long Ok, long Failed)> Drive(HttpClient client, string[] paths, int concurrency, TimeSpan duration)
    {
        long ok = 0, failed = 0;
        using var stop = new CancellationTokenSource(duration);
        var workers = Enumerable.Range(0, concurrency).Select(async worker =>
        {
            var i = worker * 97;
            while (!stop.IsCancellationRequested)
            {
                using var response = await client.GetAsync(new Uri(paths[i++ % paths.Length], UriKind.Relative), HttpCompletionOption.ResponseContentRead);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref ok);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
        });
        await Task.WhenAll(workers);
        return (ok, failed);
    }

    private static int Option(string[] args, string name, int fallback) =>
        HarnessArgs.Value(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
