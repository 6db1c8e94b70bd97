using IpEnrich.Worker.Hosting;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Cli;

/// <summary>The worker's start-up checks for every command: each problem of every section it reads, one line on stderr.</summary>
internal static class CliValidation
{
    /// <returns>False, once the problems are written, when the configuration is invalid: the command then exits 2.</returns>
    public static async Task<bool> CheckAsync(IServiceProvider services, TextWriter error)
    {
        try
        {
            StartupValidation.ThrowIfInvalid(services);
            return true;
        }
        catch (OptionsValidationException ex)
        {
            await WriteAsync(ex, error);
            return false;
        }
    }

    public static async Task WriteAsync(OptionsValidationException problems, TextWriter error)
    {
        foreach (var failure in problems.Failures)
        {
            await error.WriteLineAsync($"ipenrich: {failure}");
        }
    }
}
