using IpEnrich.Core.Extraction;
using IpEnrich.Testing;
using IpEnrich.Worker.Cli;

namespace IpEnrich.Worker.Tests.Cli;

/// <summary>The <c>ipenrich extract FILE</c> contract: distinct canonical IPs, sorted ordinally, exit 0; else one line on stderr, exit 2.</summary>
public sealed class ExtractCommandTests
{
    public static TheoryData<string> AlertFilesWithExpectations()
    {
        var data = new TheoryData<string>();
        foreach (var folder in new[] { RepoPaths.Samples, RepoPaths.SharedCorpus })
        {
            if (folder is not null)
            {
                foreach (var name in AlertFiles.ReadExpected(folder).Keys.Order(StringComparer.Ordinal))
                {
                    data.Add(Path.Combine(folder, name));
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AlertFilesWithExpectations))]
    public async Task Prints_the_default_set_one_per_line(string file)
    {
        var (code, stdout, stderr) = await Run(file);
        Assert.Equal(0, code);
        Assert.Empty(stderr);
        var expected = AlertFiles.ReadExpected(Path.GetDirectoryName(file)!)[Path.GetFileName(file)].Default;
        Assert.Equal(expected.Select(ip => ip + Environment.NewLine), SplitLines(stdout));
    }

    [Theory]
    [InlineData("[1,2,3]", "top-level JSON value is an array")]
    [InlineData("{\"a\":", "not valid JSON")]
    [InlineData("{\"a\":1}\n{\"b\":\n", "line 2")]
    [InlineData("", "empty message")]
    public async Task Invalid_input_is_one_line_on_stderr_and_exit_2(string content, string expected)
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, content, TestContext.Current.CancellationToken);
            var (code, stdout, stderr) = await Run(file);
            Assert.Equal(2, code);
            Assert.Empty(stdout);
            Assert.Single(SplitLines(stderr));
            Assert.Contains(expected, stderr, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Unreadable_file_is_exit_2()
    {
        var (code, _, stderr) = await Run("/nonexistent/alert.json");
        Assert.Equal(2, code);
        Assert.StartsWith("ipenrich: cannot read /nonexistent/alert.json", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Missing_argument_is_exit_2()
    {
        Assert.Equal(2, await IpEnrichCommandLine.RunAsync(["extract"]));
    }

    [Fact]
    public async Task Ndjson_merges_the_ips_of_every_line()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, "{\"a\":\"192.0.2.9\"}\n\n{\"b\":\"192.0.2.10 192.0.2.9\"}\r\n", TestContext.Current.CancellationToken);
            var (code, stdout, _) = await Run(file);
            Assert.Equal(0, code);
            Assert.Equal($"192.0.2.10{Environment.NewLine}192.0.2.9{Environment.NewLine}", stdout);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task Prints_the_ips_of_the_decoded_text_of_lone_surrogate_and_percent_encoded_strings()
    {
        var file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, """{"x":"\ud800","url":"%31%39%38.51.100.116 %2F198.51.100.5%2F","src_ip":"52.94.133.131"}""", TestContext.Current.CancellationToken);
            var (code, stdout, stderr) = await Run(file);
            Assert.Equal((0, ""), (code, stderr));
            Assert.Equal(["198.51.100.116", "198.51.100.5", "52.94.133.131"], stdout.Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries));
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static async Task<(int Code, string Stdout, string Stderr)> Run(string file)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var code = await ExtractCommand.RunAsync(new FileInfo(file), new ExtractionOptions(), stdout, stderr, TestContext.Current.CancellationToken);
        return (code, stdout.ToString(), stderr.ToString());
    }

    private static string[] SplitLines(string text) =>
        text.Length == 0 ? [] : [.. text.Split(Environment.NewLine).SkipLast(1).Select(l => l + Environment.NewLine)];
}
