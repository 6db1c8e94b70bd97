using IpEnrich.Worker.Cli;

namespace IpEnrich.Worker.Tests.Cli;

/// <summary>Configuration words are told from a command's arguments as the configuration's command-line reader takes them.</summary>
public sealed class ConfigurationWordsTests
{
    [Theory]
    [InlineData("192.0.2.1 --Defender:LookBackHours=24", "192.0.2.1", "--Defender:LookBackHours=24")]
    [InlineData("--Defender:LookBackHours=24 192.0.2.1 ::1", "192.0.2.1 ::1", "--Defender:LookBackHours=24")]
    [InlineData("192.0.2.1 --Defender:LookBackHours 24 [2001:db8::7]:443", "192.0.2.1 [2001:db8::7]:443", "--Defender:LookBackHours 24")]
    [InlineData("192.0.2.1 /Defender:LookBackHours 24", "192.0.2.1", "/Defender:LookBackHours 24")]
    [InlineData("192.0.2.1 -x 192.0.2.2", "192.0.2.1 192.0.2.2", "-x")]
    [InlineData("192.0.2.1 --Defender:LookBackHours", "192.0.2.1", "--Defender:LookBackHours")]
    public void Splits_arguments_from_configuration(string line, string arguments, string configuration)
    {
        var (a, c) = ConfigurationWords.Split(line.Split(' '));
        Assert.Equal(arguments.Split(' '), a);
        Assert.Equal(configuration.Split(' '), c);
    }
}
