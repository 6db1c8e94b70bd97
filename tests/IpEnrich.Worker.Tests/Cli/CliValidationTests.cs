using IpEnrich.Worker.Cli;

namespace IpEnrich.Worker.Tests.Cli;

/// <summary>
/// <c>lookup</c> and <c>extract</c> run the worker's start-up checks: every problem of the sections they read, one
/// line each naming the key, exit 2, never a stack trace; nothing is looked up or read before.
/// </summary>
public sealed class CliValidationTests
{
    private static readonly string[] Credentials = ["--Defender:TenantId=t", "--Defender:ClientId=c", "--Defender:ClientSecret=s"];

    private static async Task<(int Code, string Stdout, string[] Lines)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await IpEnrichCommandLine.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    private static async Task<(int Code, string Stdout, string[] Lines)> LookupAsync(params string[] words)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await LookupCommand.RunAsync(["192.0.2.1"], null, CliConfiguration.Build(words), stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
    }

    private static void AssertOneLineEach(string[] lines, int count)
    {
        Assert.True(lines.Length == count, string.Join(Environment.NewLine, lines));
        Assert.All(lines, l => Assert.StartsWith("ipenrich: ", l, StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.TrimStart().StartsWith("at ", StringComparison.Ordinal) || l.Contains("Exception", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lookup_reports_every_problem_of_its_sections_and_exits_2()
    {
        var (code, stdout, lines) = await LookupAsync([.. Credentials,
            "--Redis:ConnectionString=redis:6379,password=hunter2,nosuchoption=1", "--Defender:LookBackHours=abc", "--Cache:FoundTtl=6x", "--Quota:PerMinute=0"]);

        Assert.Equal(2, code);
        Assert.Empty(stdout);
        AssertOneLineEach(lines, 4);
        Assert.Contains(lines, l => l.StartsWith("ipenrich: Redis:ConnectionString is not a valid", StringComparison.Ordinal));
        Assert.Contains("ipenrich: Defender:LookBackHours: \"abc\" is not a whole number", lines);
        Assert.Contains("ipenrich: Cache:FoundTtl: \"6x\" is not a duration (use 00:06:00 or 6h, 30s, 500ms, 7d)", lines);
        Assert.Contains("ipenrich: Quota:PerMinute must be between 1 and 100000", lines);
        Assert.DoesNotContain(lines, l => l.Contains("hunter2", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Lookup_reports_a_missing_credential_with_the_other_problems()
    {
        var (code, _, lines) = await LookupAsync("--Defender:TenantId=t", "--Defender:ClientId=c", "--Enrichment:MaxWait=banana", "--Defender:BaseUrl=not a url");

        Assert.Equal(2, code);
        Assert.Contains(lines, l => l.StartsWith("ipenrich: Defender: no credential", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.Contains("Defender:BaseUrl", StringComparison.Ordinal));
        // lookup reads no Enrichment section: a problem there is the worker's, not this command's.
        Assert.DoesNotContain(lines, l => l.Contains("Enrichment", StringComparison.Ordinal));
        AssertOneLineEach(lines, lines.Length);
    }

    [Fact]
    public async Task Extract_reports_every_problem_of_its_section_and_exits_2()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, """{"src_ip":"192.0.2.9"}""", TestContext.Current.CancellationToken);
            var (code, stdout, lines) = await RunAsync("extract", file, "--Extraction:MaxIpsPerAlert=abc", "--Extraction:MaxAlertBytes=1", "--Extraction:AllowCidrs:0=banana");

            Assert.Equal(2, code);
            Assert.Empty(stdout);
            AssertOneLineEach(lines, 3);
            Assert.Contains("ipenrich: Extraction:MaxIpsPerAlert: \"abc\" is not a whole number", lines);
            Assert.Contains(lines, l => l.StartsWith("ipenrich: Extraction:MaxAlertBytes must be between", StringComparison.Ordinal));
            Assert.Contains("ipenrich: Extraction:AllowCidrs: 'banana' is not an IP address or CIDR network (e.g. 10.0.0.0/8)", lines);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Extract_applies_configuration_words()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, """{"src_ip":"192.0.2.9","dest_ip":"198.51.100.7"}""", TestContext.Current.CancellationToken);
            var (code, stdout, lines) = await RunAsync("extract", file, "--Extraction:DenyCidrs:0=192.0.2.0/24");

            Assert.Equal((0, 0), (code, lines.Length));
            Assert.Equal("198.51.100.7" + Environment.NewLine, stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Extract_refuses_a_second_file_instead_of_ignoring_it()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, """{"src_ip":"192.0.2.9"}""", TestContext.Current.CancellationToken);
            var (code, stdout, lines) = await RunAsync("extract", file, "--Extraction:MaxIpsPerAlert", "64", "other.json");

            Assert.Equal(2, code);
            Assert.Empty(stdout);
            Assert.Equal(["ipenrich: extract takes one file; unexpected 'other.json' (see --help)"], lines);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
