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
            var exit = app.Services.GetRequiredService<WorkerExit>(); // RunAsync disposes the services it ends with
            await app.RunAsync(cancellationToken);
            if (exit.Code != WorkerExit.Ok)
            {
                // The part that stopped the worker logged why; a supervisor's view of stderr gets the class in one line.
                await error.WriteLineAsync($"ipenrich: stopped: {WorkerExit.Describe(exit.Code)} (exit {exit.Code}); the log has the details");
            }

            return exit.Code;
        }
        catch (OptionsValidationException ex)
        {
            await CliValidation.WriteAsync(ex, error);
            return WorkerExit.Configuration;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // What the host did not handle: one line, not a stack trace, and a code a supervisor reads as a failure.
            await error.WriteLineAsync($"ipenrich: stopped by {ex.GetType().Name}: {ex.Message}");
            return WorkerExit.Unexpected;
        }
    }
}
