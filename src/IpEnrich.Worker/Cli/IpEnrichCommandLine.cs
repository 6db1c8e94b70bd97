using System.CommandLine;

namespace IpEnrich.Worker.Cli;

/// <summary>
/// The <c>ipenrich</c> command line. With no command it runs the worker against the configured infrastructure;
/// the commands are tools around it. Bad arguments: one line on stderr and exit code 2, for every command.
/// </summary>
public static class IpEnrichCommandLine
{
    public const int ExitOk = 0;
    public const int ExitUsage = 2;

    public static RootCommand Create()
    {
        var root = new RootCommand("IpEnrich: enriches security alerts on Kafka with Microsoft Defender IP statistics.")
        {
            ExtractCommand.Create(),
            LookupCommand.Create(),
            DemoCommand.Create(),
        };

        // Anything else on the command line is configuration (e.g. --Kafka:BootstrapServers=host:9092).
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction((parse, cancellationToken) => WorkerCommand.RunAsync([.. parse.UnmatchedTokens], Console.Error, cancellationToken));
        return root;
    }

    public static async Task<int> RunAsync(string[] args)
    {
        var parse = Create().Parse(args);
        if (parse.Errors.Count > 0)
        {
            await Console.Error.WriteLineAsync($"ipenrich: {parse.Errors[0].Message} (see --help)");
            return ExitUsage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
