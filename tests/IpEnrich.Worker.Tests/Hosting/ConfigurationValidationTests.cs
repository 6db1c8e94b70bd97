using IpEnrich.Defender.Options;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Cli;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Pipeline;
using IpEnrich.Worker.Quota;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Tests.Hosting;

/// <summary>Start-up configuration checks as the operator sees them: every problem at once, one line each, exit 2.</summary>
public sealed class ConfigurationValidationTests
{
    private static readonly string[] Valid =
    [
        "--urls", "http://127.0.0.1:0", "--Logging:LogLevel:Default=None",
        "--Kafka:BootstrapServers=127.0.0.1:1", "--Kafka:InputTopic=in", "--Kafka:OutputTopic=out", "--Kafka:DeadLetterTopic=dlq",
        "--Defender:TenantId=t", "--Defender:ClientId=c", "--Defender:ClientSecret=s",
    ];

    private static async Task<(int Code, string[] Lines)> RunWorkerAsync(params string[] settings)
    {
        // A configuration the worker accepts runs it: stop it rather than hang the test.
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        stop.CancelAfter(TimeSpan.FromSeconds(10));
        using var error = new StringWriter();
        var code = await WorkerCommand.RunAsync([.. Valid, .. settings.Select(s => "--" + s)], error, stop.Token);
        return (code, error.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task<string[]> FailuresAsync(params string[] settings)
    {
        var (code, lines) = await RunWorkerAsync(settings);
        Assert.Equal(2, code);
        Assert.All(lines, l => Assert.StartsWith("ipenrich: ", l, StringComparison.Ordinal));
        return lines;
    }

    [Fact]
    public async Task Every_sections_problems_are_reported_together_one_line_each()
    {
        var lines = await FailuresAsync(
            "Cache:FoundTtl=6x", "Enrichment:MaxWait=banana", "Defender:LookBackHours=abc", "Quota:PerMinute=0",
            "Redis:ConnectionString=redis:6379,password=hunter2,nosuchoption=1", "Kafka:DrainTimeout=-00:00:05", "Extraction:MaxIpsPerAlert=0");

        Assert.Contains("ipenrich: Cache:FoundTtl: \"6x\" is not a duration (use 00:06:00 or 6h, 30s, 500ms, 7d)", lines);
        Assert.Contains(lines, l => l.StartsWith("ipenrich: Enrichment:MaxWait: \"banana\" is not a duration", StringComparison.Ordinal));
        Assert.Contains("ipenrich: Defender:LookBackHours: \"abc\" is not a whole number", lines);
        Assert.Contains("ipenrich: Quota:PerMinute must be between 1 and 100000", lines);
        Assert.Contains(lines, l => l.StartsWith("ipenrich: Redis:ConnectionString", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("ipenrich: Kafka:DrainTimeout", StringComparison.Ordinal));
        Assert.Contains("ipenrich: Extraction:MaxIpsPerAlert must be between 1 and 1024", lines);
        Assert.True(lines.Length == 7, string.Join(Environment.NewLine, lines));
        Assert.DoesNotContain(lines, l => l.Contains("hunter2", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Cache:FoundTtl=5", "Cache:FoundTtl: \"5\" is not a duration (use 00:06:00 or 6h, 30s, 500ms, 7d)")]
    [InlineData("Kafka:DrainTimeout=-00:00:05", "Kafka:DrainTimeout must be between 100ms and 1h")]
    [InlineData("Kafka:DrainTimeout=40s", "Kafka:DrainTimeout must be below ShutdownTimeout (default 30s)")]
    [InlineData("ShutdownTimeout=2h", "ShutdownTimeout must be between 1s and 1h")]
    [InlineData("Enrichment:UpdatesTopic=in", "Enrichment:UpdatesTopic must differ from Kafka:InputTopic, Kafka:OutputTopic and Kafka:DeadLetterTopic")]
    [InlineData("Extraction:AllowCidrs:0=banana", "Extraction:AllowCidrs: 'banana' is not an IP address or CIDR network (e.g. 10.0.0.0/8)")]
    [InlineData("Enrichment:UpdatesTopic=dlq", "Enrichment:UpdatesTopic must differ from Kafka:InputTopic, Kafka:OutputTopic and Kafka:DeadLetterTopic")]
    [InlineData("Triage:UncommonAtMost=2", "Triage:UncommonAtMost must not be below Triage:RareAtMost")]
    [InlineData("Triage:RareAtMost=-1", "Triage:RareAtMost must be between 0 and 1000000000")]
    [InlineData("Triage:NewWithin=0s", "Triage:NewWithin must be between 1s and 365d")]
    [InlineData("Redis:AlertPathTimeout=10s", "Redis:AlertPathTimeout must not be above Redis:Timeout")]
    [InlineData("Bulk:MaxIpsPerQuery=0", "Bulk:MaxIpsPerQuery must be between 1 and 10000")]
    [InlineData("Defender:GraphScope=https://graph.microsoft.com", "Defender:GraphScope 'https://graph.microsoft.com' must end with /.default (client credentials)")]
    public async Task One_bad_key_is_one_line(string setting, string expected) =>
        Assert.Equal("ipenrich: " + expected, Assert.Single(await FailuresAsync(setting)));

    [Fact]
    public void A_longer_shutdown_timeout_admits_a_longer_drain()
    {
        using var app = WorkerHost.Build([.. Valid, "--Kafka:DrainTimeout=40s", "--ShutdownTimeout=1m"]);
        Assert.Equal(TimeSpan.FromSeconds(40), app.Services.GetRequiredService<IOptions<KafkaOptions>>().Value.DrainTimeout);
    }

    [Fact]
    public async Task Unknown_and_invalid_librdkafka_settings_are_named()
    {
        var lines = await FailuresAsync("Kafka:Settings:no.such.key=1", "Kafka:Settings:security.protocol=bogus", "Kafka:Settings:linger.ms=5");
        Assert.Contains("ipenrich: Kafka:Settings:no.such.key: librdkafka has no such setting", lines);
        Assert.Contains(lines, l => l.StartsWith("ipenrich: Kafka:Settings:security.protocol: ", StringComparison.Ordinal));
        Assert.True(lines.Length == 2, string.Join(Environment.NewLine, lines));
    }

    [Fact]
    public async Task Role_settings_are_checked_and_named_by_their_section()
    {
        var lines = await FailuresAsync("Kafka:ConsumerSettings:fetch.wait.max.ms=soon", "Kafka:ProducerSettings:no.such.key=1",
            "Kafka:ConsumerSettings:queued.max.messages.kbytes=16384", "Kafka:ProducerSettings:linger.ms=20");
        Assert.Contains(lines, l => l.StartsWith("ipenrich: Kafka:ConsumerSettings:fetch.wait.max.ms: librdkafka rejects this value", StringComparison.Ordinal));
        Assert.Contains("ipenrich: Kafka:ProducerSettings:no.such.key: librdkafka has no such setting", lines);
        Assert.True(lines.Length == 2, string.Join(Environment.NewLine, lines));
    }

    [Fact]
    public void Durations_bind_in_the_TimeSpan_and_the_suffix_form()
    {
        using var app = WorkerHost.Build([.. Valid,
            "--Cache:FoundTtl=6h", "--Cache:NotSeenTtl=01:00:00", "--Cache:InvalidTtl=7d", "--Cache:L1Ttl=90s",
            "--Enrichment:MaxWait=500ms", "--Kafka:DrainTimeout=1.5s", "--Kafka:TransactionCommitInterval=00:00:00.250",
            "--Quota:MinuteWindow=1m", "--Defender:Resilience:TotalTimeout=00:02:00", "--Cache:MaxStale=1.00:00:00", "--Defender:Resilience:AttemptTimeout=20s",
            "--ShutdownTimeout=45s"]);
        var cache = app.Services.GetRequiredService<IOptions<CacheOptions>>().Value;
        Assert.Equal((TimeSpan.FromHours(6), TimeSpan.FromHours(1), TimeSpan.FromDays(7), TimeSpan.FromSeconds(90), TimeSpan.FromDays(1)),
            (cache.FoundTtl, cache.NotSeenTtl, cache.InvalidTtl, cache.L1Ttl, cache.MaxStale));
        Assert.Equal(TimeSpan.FromMilliseconds(500), app.Services.GetRequiredService<IOptions<EnrichmentOptions>>().Value.MaxWait);
        var kafka = app.Services.GetRequiredService<IOptions<KafkaOptions>>().Value;
        Assert.Equal((TimeSpan.FromMilliseconds(1500), TimeSpan.FromMilliseconds(250)), (kafka.DrainTimeout, kafka.TransactionCommitInterval));
        Assert.Equal(TimeSpan.FromMinutes(1), app.Services.GetRequiredService<IOptions<QuotaOptions>>().Value.MinuteWindow);
        var resilience = app.Services.GetRequiredService<IOptions<DefenderOptions>>().Value.Resilience;
        Assert.Equal((TimeSpan.FromMinutes(2), TimeSpan.FromSeconds(20)), (resilience.TotalTimeout, resilience.AttemptTimeout));
        Assert.Equal(TimeSpan.FromSeconds(45), app.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
    }
}
