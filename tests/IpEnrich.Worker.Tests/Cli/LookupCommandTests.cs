using System.Text.Json;
using IpEnrich.Testing;
using IpEnrich.Worker.Cli;
using Microsoft.Extensions.Configuration;

namespace IpEnrich.Worker.Tests.Cli;

/// <summary>The <c>ipenrich lookup</c> contract against the emulator: one enrichment object per IP; exit 2 on bad input.</summary>
[Trait("Category", "Integration")]
public sealed class LookupCommandTests
{
    private static async Task<(int Code, string[] Lines, string Error)> Run(IDictionary<string, string?> settings, int? hours, params string[] ips)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await LookupCommand.RunAsync(ips, hours, configuration, stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), stderr.ToString());
    }

    [Fact]
    public async Task Prints_one_enrichment_object_per_ip()
    {
        await using var emulator = await RunningEmulator.StartAsync("--now", "2026-11-20T12:00:00Z");
        await emulator.AddEventsAsync(("d1", "203.0.113.5", DateTimeOffset.Parse("2026-11-20T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        var (code, lines, error) = await Run(emulator.DefenderSettings(), 48, "203.0.113.5", "[2001:db8::7]:443", "::ffff:198.51.100.4");

        Assert.Equal(0, code);
        Assert.Equal(string.Empty, error);
        Assert.Equal(3, lines.Length);
        using var found = JsonDocument.Parse(lines[0]);
        Assert.Equal("203.0.113.5", found.RootElement.GetProperty("ip").GetString());
        Assert.Equal("found", found.RootElement.GetProperty("status").GetString());
        Assert.Equal(1, found.RootElement.GetProperty("organizationPrevalence").GetInt32());
        Assert.Equal("2026-11-20T10:00:00Z", found.RootElement.GetProperty("orgFirstSeen").GetString());
        Assert.Equal("api", found.RootElement.GetProperty("source").GetString());
        // Triage as in the worker's output: one device is rare; not new, as the answer is fetched on the real clock,
        // long after the emulator's first sighting.
        Assert.Equal("rare", found.RootElement.GetProperty("rarity").GetString());
        Assert.False(found.RootElement.TryGetProperty("new", out _));
        using var notSeen = JsonDocument.Parse(lines[1]);
        Assert.Equal("2001:db8::7", notSeen.RootElement.GetProperty("ip").GetString());
        Assert.Equal("not_seen", notSeen.RootElement.GetProperty("status").GetString());
        Assert.Equal("unseen", notSeen.RootElement.GetProperty("rarity").GetString());
        using var mapped = JsonDocument.Parse(lines[2]);
        Assert.Equal("198.51.100.4", mapped.RootElement.GetProperty("ip").GetString());
    }

    [Fact]
    public async Task The_same_ip_twice_costs_one_api_call()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var (code, lines, _) = await Run(emulator.DefenderSettings(), null, "203.0.113.9", "203.0.113.9");
        Assert.Equal(0, code);
        Assert.Equal(2, lines.Length);
        Assert.Equal(1, (await emulator.GetCallsAsync()).Total);
    }

    [Fact]
    public async Task An_api_failure_is_still_an_answer_and_exit_0()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        await emulator.SetFaultsAsync(new IpEnrich.Emulator.Options.FaultOptions { Force429Seconds = 60 });
        var (code, lines, _) = await Run(emulator.DefenderSettings(), null, "203.0.113.5");
        Assert.Equal(0, code);
        using var deferred = JsonDocument.Parse(Assert.Single(lines));
        Assert.Equal("deferred", deferred.RootElement.GetProperty("status").GetString());
        Assert.Equal("quota", deferred.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task A_bad_ip_is_exit_2_with_one_line()
    {
        var (code, lines, error) = await Run(new Dictionary<string, string?>(), null, "10.0.0.1", "1.2.3");
        Assert.Equal(2, code);
        Assert.Empty(lines);
        Assert.Equal("ipenrich: '1.2.3' is not an IP address" + Environment.NewLine, error);
    }

    [Fact]
    public async Task Missing_configuration_is_exit_2_with_one_line_naming_the_settings()
    {
        var (code, _, error) = await Run(new Dictionary<string, string?> { ["Defender:TenantId"] = "t", ["Defender:ClientId"] = "c" }, null, "10.0.0.1");
        Assert.Equal(2, code);
        Assert.Equal("ipenrich: Defender: no credential: set one of Defender:ClientSecret, Defender:CertificatePath or Defender:FederatedTokenFile (AZURE_FEDERATED_TOKEN_FILE)" + Environment.NewLine, error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(721)]
    public async Task Look_back_hours_outside_1_to_720_is_exit_2(int hours)
    {
        var settings = new Dictionary<string, string?> { ["Defender:TenantId"] = "t", ["Defender:ClientId"] = "c", ["Defender:ClientSecret"] = "s", ["Defender:BaseUrl"] = "https://127.0.0.1:9" };
        var (code, _, error) = await Run(settings, hours, "10.0.0.1");
        Assert.Equal(2, code);
        Assert.Contains("--look-back-hours must be between 1 and 720", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wrong_client_secret_is_exit_2_with_one_line_naming_the_client_not_the_secret()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var settings = emulator.DefenderSettings();
        settings["Defender:ClientSecret"] = "wrong-secret-value";
        var (code, lines, error) = await Run(settings, null, "203.0.113.5");

        Assert.Equal(2, code);
        Assert.Empty(lines);
        Assert.Equal($"ipenrich: authentication failed for Defender:ClientId {settings["Defender:ClientId"]} (AADSTS7000215: Invalid client secret provided)"
            + Environment.NewLine, error);
        Assert.DoesNotContain("wrong-secret-value", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Configuration_words_after_the_ips_are_configuration()
    {
        await using var emulator = await RunningEmulator.StartAsync("--now", "2026-11-20T12:00:00Z");
        await emulator.AddEventsAsync(("d1", "203.0.113.5", DateTimeOffset.Parse("2026-11-18T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture)));
        string[] settings = [.. emulator.DefenderSettings().Select(kv => $"--{kv.Key}={kv.Value}")];

        // Seen 48 hours ago: found with the default look-back (720 h), not seen within 24 h, which only the word can set.
        var (defaultCode, defaultLines, defaultError) = await RunCommandLine(["lookup", "203.0.113.5", .. settings]);
        var (code, lines, error) = await RunCommandLine(["lookup", "203.0.113.5", "192.0.2.1", .. settings, "--Defender:LookBackHours=24"]);

        Assert.Equal((0, string.Empty), (defaultCode, defaultError));
        Assert.Equal("found", Status(Assert.Single(defaultLines)));
        Assert.Equal((0, string.Empty), (code, error));
        Assert.Equal(["not_seen", "not_seen"], lines.Select(Status));
    }

    private static async Task<(int Code, string[] Lines, string Error)> RunCommandLine(string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await IpEnrichCommandLine.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries), stderr.ToString());
    }

    private static string? Status(string line)
    {
        using var entry = JsonDocument.Parse(line);
        return entry.RootElement.GetProperty("status").GetString();
    }
}
