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

    public static RootCommand Create() => Create(Console.Out, Console.Error);

    internal static RootCommand Create(TextWriter output, TextWriter error)
    {
        var root = new RootCommand("IpEnrich: enriches security alerts on Kafka with Microsoft Defender IP statistics.")
        {
            ExtractCommand.Create(output, error),
            LookupCommand.Create(output, error),
        };

        // Anything else on the command line is configuration (e.g. --Kafka:BootstrapServers=host:9092).
        root.TreatUnmatchedTokensAsErrors = false;
        root.SetAction(async (parse, cancellationToken) =>
        {
            string[] rest = [.. parse.UnmatchedTokens];
            if (rest.Length > 0 && IsCommandWord(rest[0]))
            {
                var commands = string.Join(", ", root.Subcommands.Select(c => c.Name));
                await error.WriteLineAsync($"ipenrich: unknown command '{rest[0]}' (commands: {commands}; see --help)");
                return ExitUsage;
            }

            return await WorkerCommand.RunAsync(rest, error, cancellationToken);
        });
        return root;
    }

    // A first token without a -, -- or / prefix and without '=' is one the configuration reader would skip, so it can only be a command.
    internal static bool IsCommandWord(string token) => token.Length > 0 && token[0] is not ('-' or '/') && !token.Contains('=', StringComparison.Ordinal);

    public static Task<int> RunAsync(string[] args) => RunAsync(args, Console.Out, Console.Error);

    internal static Task<int> RunAsync(string[] args, TextWriter error) => RunAsync(args, Console.Out, error);

    internal static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var parse = Create(output, error).Parse(args);
        if (parse.Errors.Count > 0)
        {
            await error.WriteLineAsync($"ipenrich: {parse.Errors[0].Message} (see --help)");
            return ExitUsage;
        }

        return await parse.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
    }
}
