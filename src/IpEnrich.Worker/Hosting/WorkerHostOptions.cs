namespace IpEnrich.Worker.Hosting;

/// <summary>Top-level keys of the worker host.</summary>
public sealed class WorkerHostOptions
{
    /// <summary>How long a stopping worker may take (drain, publish, commit); keep it below Kubernetes' grace period.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
