namespace IpEnrich.Worker.Hosting;

/// <summary>
/// How the worker process ends: parts that must stop it say why, and the process exits with that class's code, so
/// supervisors and Kubernetes' restart accounting can tell a failure from SIGTERM's clean stop (docs/operations.md).
/// </summary>
public sealed class WorkerExit(IHostApplicationLifetime lifetime)
{
    /// <summary>A clean stop (SIGTERM, Ctrl+C).</summary>
    public const int Ok = 0;

    /// <summary>An unexpected failure inside the worker (a bug): the restart resumes from the last commit.</summary>
    public const int Unexpected = 1;

    /// <summary>Configuration or command-line problems, reported one line each before anything starts.</summary>
    public const int Configuration = 2;

    /// <summary>Kafka refused to go on: a fatal client error (e.g. fenced, authentication) or a delivery that failed for good.</summary>
    public const int Kafka = 3;

    private int _code;

    /// <summary>The class of stop <paramref name="code"/> stands for, as docs/operations.md names it.</summary>
    public static string Describe(int code) => code switch
    {
        Ok => "clean stop",
        Unexpected => "unexpected failure inside the worker",
        Configuration => "configuration",
        Kafka => "Kafka refused to go on",
        _ => $"exit code {code}",
    };

    /// <summary>The first failure's code, or <see cref="Ok"/>.</summary>
    public int Code => Volatile.Read(ref _code);

    /// <summary>Stops the worker for <paramref name="code"/>'s reason; the first reason given is the one the process exits with.</summary>
    public void Fail(int code)
    {
        Interlocked.CompareExchange(ref _code, code, Ok);
        lifetime.StopApplication();
    }
}
