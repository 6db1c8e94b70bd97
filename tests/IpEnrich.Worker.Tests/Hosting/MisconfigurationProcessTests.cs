using System.Diagnostics;

namespace IpEnrich.Worker.Tests.Hosting;

/// <summary>
/// The worker as an operator starts it (its own process, settings as environment variables), once per class of
/// misconfiguration: it exits 2 before connecting anywhere, with one line on stderr naming the setting.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MisconfigurationProcessTests
{
    private static readonly Dictionary<string, string> Valid = new()
    {
        ["Kafka__BootstrapServers"] = "127.0.0.1:1",
        ["Kafka__InputTopic"] = "alerts",
        ["Kafka__OutputTopic"] = "alerts-enriched",
        ["Kafka__DeadLetterTopic"] = "alerts-dlq",
        ["Defender__TenantId"] = "tenant",
        ["Defender__ClientId"] = "client",
        ["Defender__ClientSecret"] = "secret-never-shown",
    };

    public static TheoryData<string, string, string?, string> Cases() => new()
    {
        { "required key missing", "Kafka__InputTopic", null, "ipenrich: Kafka:InputTopic is required" },
        { "unreadable value", "Cache__FoundTtl", "6x", "ipenrich: Cache:FoundTtl: \"6x\" is not a duration (use 00:06:00 or 6h, 30s, 500ms, 7d)" },
        { "number out of range", "Backlog__Concurrency", "0", "ipenrich: Backlog:Concurrency must be between 1 and 256" },
        { "duration out of range", "Enrichment__MaxWait", "10m", "ipenrich: Enrichment:MaxWait must be between 1ms and 5m" },
        { "ratio out of range", "Quota__SafetyMargin", "1", "ipenrich: Quota:SafetyMargin must be between 0 and 1 exclusive" },
        { "rule across keys", "Triage__UncommonAtMost", "1", "ipenrich: Triage:UncommonAtMost must not be below Triage:RareAtMost" },
        { "rule across sections", "Kafka__DrainTimeout", "40s", "ipenrich: Kafka:DrainTimeout must be below ShutdownTimeout (default 30s)" },
        { "top-level key", "ShutdownTimeout", "2h", "ipenrich: ShutdownTimeout must be between 1s and 1h" },
        { "unknown choice", "Defender__Cloud", "Mars", "ipenrich: Defender:Cloud 'Mars' is not one of Commercial, Gcc, GccHigh, DoD" },
        { "missing file", "Defender__CaCertificatePath", "/nonexistent/ca.pem", "ipenrich: Defender:CaCertificatePath: file '/nonexistent/ca.pem' does not exist" },
        { "bad librdkafka setting", "Kafka__Settings__socket.timeout.ms", "soon", "ipenrich: Kafka:Settings:socket.timeout.ms: " },
        { "bad extraction entry", "Extraction__AllowCidrs__0", "banana", "ipenrich: Extraction:AllowCidrs: 'banana' is not an IP address or CIDR network (e.g. 10.0.0.0/8)" },
        { "secret-bearing value", "Redis__ConnectionString", "redis:6379,password=hunter2,nosuchoption=1", "ipenrich: Redis:ConnectionString is not a valid StackExchange.Redis configuration string (not shown: it may hold a password)" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_class_of_misconfiguration_exits_2_with_one_line_naming_the_setting(string problem, string key, string? value, string expected)
    {
        var (code, stderr) = await RunAsync(key, value);

        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.True(code == 2, $"{problem}: exit {code}, stderr: {stderr}");
        Assert.StartsWith(expected, line, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", line, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-never-shown", line, StringComparison.Ordinal);
    }

    private static async Task<(int Code, string Stderr)> RunAsync(string key, string? value)
    {
        var start = new ProcessStartInfo("dotnet") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "ipenrich.dll"));
        start.ArgumentList.Add("--urls=http://127.0.0.1:0");
        foreach (var (name, setting) in Valid)
        {
            start.Environment[name] = setting;
        }

        start.Environment[key] = value; // null removes it
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        limit.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"the worker did not exit within 60 s with {key}={value}; stdout: {await stdout}");
        }

        await stdout;
        return (process.ExitCode, await stderr);
    }
}
