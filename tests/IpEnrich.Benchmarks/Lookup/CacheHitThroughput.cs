using System.Diagnostics;
using System.Globalization;
using System.Net;
using IpEnrich.Core.Enrichment;
using IpEnrich.Testing;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IpEnrich.Benchmarks.Lookup;

/// <summary>
/// Cache-hit IP lookups per second through LookupService, batched per alert (4 IPs): once served by L1, once by Redis
/// with L1 disabled (one pipelined round trip per batch). Reports median and p99 latency per batch.
/// </summary>
public static class CacheHitThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (HarnessArgs.Problem(args, new Dictionary<string, OptionKind> { ["--seconds"] = OptionKind.Integer }) is { } problem)
        {
            return HarnessArgs.Refuse("usage: lookup-cache [--seconds S]", problem);
        }

        var seconds = int.Parse(HarnessArgs.Value(args, "--seconds") ?? "5", CultureInfo.InvariantCulture);
        await using var redis = await RedisServer.StartOrSkipAsync();
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        var ips = Enumerable.Range(0, 10_000).Select(i => new IPAddress([10, 88, (byte)(i / 250), (byte)((i % 250) + 1)])).ToArray();

        await using var warm = await BuildAsync(emulator, redis, l1: false);
        var warmLookups = warm.GetRequiredService<LookupService>();
        foreach (var chunk in ips.Chunk(500))
        {
            await warmLookups.LookupAsync(chunk, AlertPriority.Normal, TimeSpan.FromMinutes(1), CancellationToken.None);
        }

        await using var withL1 = await BuildAsync(emulator, redis, l1: true);
        await using var redisOnly = await BuildAsync(emulator, redis, l1: false);
        var l1 = await Measure(withL1.GetRequiredService<LookupService>(), ips, concurrency: 2, TimeSpan.FromSeconds(seconds), prime: true);
        var l2 = await Measure(redisOnly.GetRequiredService<LookupService>(), ips, concurrency: 64, TimeSpan.FromSeconds(seconds), prime: false);

        Console.WriteLine($"L1 hits    : {l1.PerSecond:N0} IP lookups/s, batch median {l1.Median.TotalMicroseconds:N1} µs, p99 {l1.P99.TotalMicroseconds:N1} µs");
        Console.WriteLine($"Redis hits : {l2.PerSecond:N0} IP lookups/s, batch median {l2.Median.TotalMilliseconds:N2} ms, p99 {l2.P99.TotalMilliseconds:N2} ms (L1 off, 64 concurrent alerts)");
        var apiCalls = (await emulator.GetCallsAsync()).Total;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{{\"l1LookupsPerSec\":{l1.PerSecond:F0},\"l1MedianUs\":{l1.Median.TotalMicroseconds:F1},\"l1P99Us\":{l1.P99.TotalMicroseconds:F1},\"redisLookupsPerSec\":{l2.PerSecond:F0},\"redisMedianMs\":{l2.Median.TotalMilliseconds:F2},\"redisP99Ms\":{l2.P99.TotalMilliseconds:F2},\"apiCalls\":{apiCalls}}}"));
        return 0;
    }

    /// <summary>A lookup service whose Redis connection (made in the background) is up, so no lookup measured misses it.</summary>
    private static async Task<ServiceProvider> BuildAsync(RunningEmulator emulator, RedisServer redis, bool l1)
    {
        var settings = emulator.DefenderSettings();
        settings["Redis:ConnectionString"] = redis.ConnectionString;
        settings["Cache:L1Capacity"] = l1 ? "100000" : "0";
        settings["Cache:L1Ttl"] = "01:00:00";
        settings["Quota:PerMinute"] = "100000"; // the most the option takes: the warm-up asks 10,000 IPs; the quota is not measured here
        settings["Quota:PerHour"] = "1000000";
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(configuration);
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddIpEnrichLookups(configuration);
        var provider = services.BuildServiceProvider();
        await provider.GetRequiredService<RedisConnection>().WaitForFirstAttemptAsync(CancellationToken.None);
        return provider;
    }

    private static async Task<(double PerSecond, TimeSpan Median, TimeSpan P99)> Measure(LookupService service, IPAddress[] ips, int concurrency, TimeSpan duration, bool prime)
    {
        if (prime)
        {
            foreach (var chunk in ips.Chunk(500))
            {
                await service.LookupAsync(chunk, AlertPriority.Normal, TimeSpan.FromSeconds(10), CancellationToken.None);
            }
        }

        var latencies = new List<long>[concurrency];
        long lookups = 0;
        var stopwatch = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = new List<long>(1 << 20);
            var random = new Random(w);
            var batch = new IPAddress[4];
            while (stopwatch.Elapsed < duration)
            {
                for (var i = 0; i < batch.Length; i++)
                {
                    batch[i] = ips[random.Next(ips.Length)];
                }

                var started = Stopwatch.GetTimestamp();
                var results = await service.LookupAsync(batch, AlertPriority.Normal, TimeSpan.FromSeconds(2), CancellationToken.None);
                mine.Add(Stopwatch.GetTimestamp() - started);
                if (results[0].Source != LookupSource.Cache)
                {
                    throw new InvalidOperationException($"expected a cache hit, got {results[0].Source}");
                }

                Interlocked.Add(ref lookups, batch.Length);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var all = latencies.SelectMany(l => l).Order().ToArray();
        static TimeSpan Ticks(long t) => TimeSpan.FromSeconds((double)t / Stopwatch.Frequency);
        return (lookups / stopwatch.Elapsed.TotalSeconds, Ticks(all[all.Length / 2]), Ticks(all[(int)(all.Length * 0.99)]));
    }
}
