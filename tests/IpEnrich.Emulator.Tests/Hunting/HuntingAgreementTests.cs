using System.Net;
using System.Text.Json;
using IpEnrich.Core.Extraction;
using IpEnrich.Emulator.Api;
using IpEnrich.Emulator.Data;
using IpEnrich.Testing;

namespace IpEnrich.Emulator.Tests.Hunting;

/// <summary>
/// For every IP of a 10,000-IP estate with IPv4, IPv6 and IPv4-mapped events, the worker's hunting query (batches of
/// 500) gives the numbers the IP statistics API gives: prevalence, first seen, last seen; an IP never seen is absent.
/// </summary>
[Trait("Category", "Integration")]
public sealed class HuntingAgreementTests
{
    private const int Ips = 10_000;
    private const int Seed = 3;
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Hunting_equals_ip_statistics_for_every_ip_of_a_mixed_family_estate()
    {
        await using var emulator = await RunningEmulator.StartAsync("--now", Now.ToString("O"), "--Emulator:SyntheticIps=10000",
            "--Emulator:SyntheticDevices=3000", "--Emulator:SyntheticMixedFamilies=true", $"--Emulator:Seed={Seed}");
        var store = emulator.GetService<EventStore>();
        var addresses = SyntheticEstate.Addresses(Ips, Seed, mixedFamilies: true);
        Assert.Contains(addresses, a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6);
        Assert.Contains(store.Scan(null), e => e.RemoteIp.StartsWith("::ffff:", StringComparison.Ordinal));

        var token = await emulator.GetGraphTokenAsync();
        var hunted = new Dictionary<string, (long Devices, string FirstSeen, string LastSeen)>(StringComparer.Ordinal);
        foreach (var batch in addresses.Chunk(500))
        {
            using var response = await emulator.RunHuntingQueryAsync(WorkerQuery.For(batch.SelectMany(WorkerQuery.Literals)), token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            foreach (var (ip, row) in WorkerQuery.Results(await response.Content.ReadAsStringAsync()))
            {
                hunted.Add(ip, row);
            }
        }

        var seen = 0;
        foreach (var address in addresses)
        {
            var stats = store.Query(IpValue.FromAddress(address), Now, TimeSpan.FromHours(720)); // what GET /api/ips/{ip}/stats answers
            if (stats.Prevalence == 0)
            {
                Assert.DoesNotContain(address.ToString(), hunted.Keys);
                continue;
            }

            seen++;
            Assert.Equal((stats.Prevalence, IpStatsEndpoint.Format(stats.FirstSeen), IpStatsEndpoint.Format(stats.LastSeen)), hunted[address.ToString()]);
        }

        Assert.Equal(seen, hunted.Count);
        Assert.True(seen > Ips / 2, $"only {seen} IPs seen");
    }

    [Fact]
    public async Task Hunting_equals_the_http_ip_statistics_answers_for_a_sample_of_each_family()
    {
        await using var emulator = await RunningEmulator.StartAsync("--now", Now.ToString("O"), "--Emulator:SyntheticIps=400",
            "--Emulator:SyntheticDevices=100", "--Emulator:SyntheticMixedFamilies=true", $"--Emulator:Seed={Seed}");
        var sample = SyntheticEstate.Addresses(400, Seed, mixedFamilies: true).Take(40).ToArray();
        using var response = await emulator.RunHuntingQueryAsync(WorkerQuery.For(sample.SelectMany(WorkerQuery.Literals)), await emulator.GetGraphTokenAsync());
        var hunted = WorkerQuery.Results(await response.Content.ReadAsStringAsync());

        var statsToken = await emulator.GetTokenAsync();
        foreach (var address in sample)
        {
            using var stats = await emulator.GetStatsAsync(address.ToString(), statsToken);
            using var body = JsonDocument.Parse(await stats.Content.ReadAsStringAsync());
            var prevalence = body.RootElement.GetProperty("organizationPrevalence").GetInt64();
            if (prevalence == 0)
            {
                Assert.False(hunted.ContainsKey(address.ToString()));
                continue;
            }

            Assert.Equal((prevalence, body.RootElement.GetProperty("orgFirstSeen").GetString()!, body.RootElement.GetProperty("orgLastSeen").GetString()!),
                hunted[address.ToString()]);
        }
    }
}
