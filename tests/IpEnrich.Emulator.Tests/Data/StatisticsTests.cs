using System.Net;
using System.Text.Json;
using IpEnrich.Testing;

namespace IpEnrich.Emulator.Tests.Data;

/// <summary>Statistics against hand-computed expectations: prevalence = distinct devices in the window ending now.</summary>
[Trait("Category", "Integration")]
public sealed class StatisticsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    private static async Task<RunningEmulator> StartWithEventsAsync()
    {
        var emulator = await RunningEmulator.StartAsync("--now", Now.ToString("O"));
        await emulator.AddEventsAsync(
            ("dev-A", "203.0.113.5", Now.AddHours(-2)),
            ("dev-A", "203.0.113.5", Now.AddHours(-1)),      // the same device twice
            ("dev-B", "203.0.113.5", Now.AddHours(-30)),
            ("dev-C", "203.0.113.5", Now.AddHours(-800)),    // outside the longest window
            ("dev-D", "203.0.113.5", Now.AddHours(5)),       // after "now": not counted
            ("dev-A", "2001:db8::5", Now.AddHours(-3)),
            ("dev-E", "::ffff:198.51.100.9", Now.AddHours(-4)));
        return emulator;
    }

    [Theory]
    [InlineData("203.0.113.5", 24, 1, "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z")]
    [InlineData("203.0.113.5", 48, 2, "2026-11-19T06:00:00Z", "2026-11-20T11:00:00Z")]
    [InlineData("203.0.113.5", 720, 2, "2026-11-19T06:00:00Z", "2026-11-20T11:00:00Z")]
    [InlineData("203.0.113.5", 1, 1, "2026-11-20T11:00:00Z", "2026-11-20T11:00:00Z")]
    [InlineData("2001:0db8:0:0:0:0:0:5", 24, 1, "2026-11-20T09:00:00Z", "2026-11-20T09:00:00Z")]
    [InlineData("::ffff:203.0.113.5", 24, 1, "2026-11-20T10:00:00Z", "2026-11-20T11:00:00Z")]
    [InlineData("198.51.100.9", 24, 1, "2026-11-20T08:00:00Z", "2026-11-20T08:00:00Z")]
    public async Task Counts_distinct_devices_and_first_last_connection_in_the_window(string ip, int hours, int prevalence, string first, string last)
    {
        await using var emulator = await StartWithEventsAsync();
        var body = await GetAsync(emulator, ip, hours);
        Assert.Equal(prevalence, body.GetProperty("organizationPrevalence").GetInt32());
        Assert.Equal(first, body.GetProperty("orgFirstSeen").GetString());
        Assert.Equal(last, body.GetProperty("orgLastSeen").GetString());
    }

    [Fact]
    public async Task An_ip_with_connections_only_outside_the_window_is_not_seen()
    {
        await using var emulator = await StartWithEventsAsync();
        await emulator.AddEventsAsync(("dev-Z", "192.0.2.77", Now.AddHours(-100)));
        var body = await GetAsync(emulator, "192.0.2.77", 48);
        Assert.Equal(0, body.GetProperty("organizationPrevalence").GetInt32());
        Assert.Equal(JsonValueKind.Null, body.GetProperty("orgFirstSeen").ValueKind);
    }

    [Fact]
    public async Task Canonical_address_is_echoed()
    {
        await using var emulator = await StartWithEventsAsync();
        var body = await GetAsync(emulator, "2001:0db8:0000:0000:0000:0000:0000:0005", 24);
        Assert.Equal("2001:db8::5", body.GetProperty("ipAddress").GetString());
    }

    [Fact]
    public async Task Events_file_is_loaded_at_start_and_a_bad_line_fails_start_with_its_line_number()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, $$"""
                {"deviceId":"d1","remoteIp":"192.0.2.1","timestamp":"{{Now.AddHours(-1):O}}"}

                {"deviceId":"d2","remoteIp":"192.0.2.1","timestamp":"{{Now.AddHours(-2):O}}"}
                """, TestContext.Current.CancellationToken);
            await using (var emulator = await RunningEmulator.StartAsync("--events", file, "--now", Now.ToString("O")))
            {
                Assert.Equal(2, (await GetAsync(emulator, "192.0.2.1", 24)).GetProperty("organizationPrevalence").GetInt32());
            }

            await File.AppendAllTextAsync(file, "\n{\"deviceId\":\"d3\",\"remoteIp\":\"nope\",\"timestamp\":\"2026-01-01T00:00:00Z\"}\n", TestContext.Current.CancellationToken);
            var error = await Assert.ThrowsAsync<FormatException>(() => RunningEmulator.StartAsync("--events", file));
            Assert.Equal($"{file}: line 4: remoteIp 'nope' is not an IP address", error.Message);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Synthetic_estate_is_deterministic_and_zipf_skewed()
    {
        await using var emulator = await RunningEmulator.StartAsync("--synthetic-devices", "500", "--synthetic-ips", "1000", "--seed", "7", "--now", Now.ToString("O"));
        var addresses = IpEnrich.Emulator.Data.SyntheticEstate.Addresses(1000, 7);
        Assert.Equal(addresses, IpEnrich.Emulator.Data.SyntheticEstate.Addresses(1000, 7));
        var top = (await GetAsync(emulator, addresses[0].ToString(), 720)).GetProperty("organizationPrevalence").GetInt32();
        var tail = (await GetAsync(emulator, addresses[900].ToString(), 720)).GetProperty("organizationPrevalence").GetInt32();
        Assert.True(top > 100, $"top IP prevalence {top}");
        Assert.True(tail < top / 10, $"tail IP prevalence {tail} vs top {top}");
    }

    private static async Task<JsonElement> GetAsync(RunningEmulator emulator, string ip, int hours)
    {
        using var response = await emulator.GetStatsAsync(ip, await emulator.GetTokenAsync(), $"?lookBackHours={hours}");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
    }
}
