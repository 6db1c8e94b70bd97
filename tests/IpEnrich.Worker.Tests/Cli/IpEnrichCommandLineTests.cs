using IpEnrich.Worker.Cli;

namespace IpEnrich.Worker.Tests.Cli;

/// <summary>The root command: a mistyped command word is a usage error, never a worker start.</summary>
public sealed class IpEnrichCommandLineTests
{
    [Fact]
    public async Task An_unknown_command_is_one_line_on_stderr_and_exit_2()
    {
        using var stderr = new StringWriter();
        var code = await IpEnrichCommandLine.RunAsync(["extrct", "file"], stderr);
        Assert.Equal(2, code);
        Assert.Equal("ipenrich: unknown command 'extrct' (commands: extract, lookup; see --help)" + Environment.NewLine, stderr.ToString());
    }

    [Theory]
    [InlineData("extrct", true)]
    [InlineData("host:9092", true)]
    [InlineData("--Kafka:BootstrapServers=host:9092", false)]
    [InlineData("--Kafka:BootstrapServers", false)]
    [InlineData("-k", false)]
    [InlineData("/Kafka:GroupId=g", false)]
    [InlineData("Kafka:GroupId=g", false)]
    public void Only_a_bare_word_is_taken_for_a_command(string token, bool expected)
    {
        Assert.Equal(expected, IpEnrichCommandLine.IsCommandWord(token));
    }
}
