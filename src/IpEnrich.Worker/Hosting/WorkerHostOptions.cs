using System.ComponentModel.DataAnnotations;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Hosting;

/// <summary>Top-level keys of the worker host.</summary>
public sealed class WorkerHostOptions
{
    /// <summary>How long a stopping worker may take (drain, publish, commit); keep it below Kubernetes' grace period.</summary>
    [DurationRange("1s", "1h")]
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>Checks <see cref="WorkerHostOptions"/> at start, generated from its attributes.</summary>
[OptionsValidator]
internal sealed partial class WorkerHostOptionsValidator : IValidateOptions<WorkerHostOptions>;
