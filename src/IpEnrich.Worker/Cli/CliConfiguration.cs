using Microsoft.Extensions.Configuration;

namespace IpEnrich.Worker.Cli;

/// <summary>Configuration for the tool commands: appsettings.json, IPENRICH_/plain environment variables, command line.</summary>
internal static class CliConfiguration
{
    public static IConfiguration Build(IReadOnlyList<string> commandLine) =>
        new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .AddCommandLine([.. commandLine])
            .Build();
}
