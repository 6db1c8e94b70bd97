namespace IpEnrich.Testing;

/// <summary>
/// Runtime variables the worker's image sets (deploy/Dockerfile) and that only the environment can set: every worker
/// process started here gets them, so the load harness and the process tests run the worker as it is deployed. A
/// deploy test holds the Dockerfile to this list.
/// </summary>
public static class WorkerImageEnvironment
{
    public static IReadOnlyDictionary<string, string> Variables { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        // At least 64 MiB of gen0: docs/performance-profile.md, "The runtime settings the figures rest on".
        ["DOTNET_GCgen0size"] = "0x4000000",
    };

    /// <summary>Sets the image's variables in a process's environment (what the caller sets after them wins).</summary>
    public static void ApplyTo(IDictionary<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        foreach (var (name, value) in Variables)
        {
            environment[name] = value;
        }
    }
}
