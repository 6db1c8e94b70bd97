using IpEnrich.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Cli;

/// <summary><c>ipenrich</c> with no command: the worker against the configured Kafka, Redis and Defender endpoint.</summary>
internal static class WorkerCommand
{
    public static async Task<int> RunAsync(string[] args, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            await using var app = WorkerHost.Build(args);
            await app.RunAsync(cancellationToken);
            return IpEnrichCommandLine.ExitOk;
        }
        catch (OptionsValidationException ex)
        {
            foreach (var failure in ex.Failures)
            {
                await error.WriteLineAsync($"ipenrich: {failure}");
            }

            return IpEnrichCommandLine.ExitUsage;
        }
    }
}
