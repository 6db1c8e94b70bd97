using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Hosting;

/// <summary>Every configuration problem of every section at once, before anything is built from the options.</summary>
internal static class StartupValidation
{
    /// <summary>
    /// Runs the <c>ValidateOnStart</c> checks and throws one <see cref="OptionsValidationException"/> with all failures.
    /// Without this the first service built from an invalid section reports that section alone, and the host's own
    /// start-up check throws an <see cref="AggregateException"/> when several sections fail.
    /// </summary>
    public static void ThrowIfInvalid(IServiceProvider services)
    {
        try
        {
            services.GetService<IStartupValidator>()?.Validate();
        }
        catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
        {
            var failures = ex.InnerExceptions.Cast<OptionsValidationException>().SelectMany(e => e.Failures).ToList();
            throw new OptionsValidationException(Options.DefaultName, typeof(object), failures);
        }
    }
}
