using Microsoft.Extensions.Configuration;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The hidden <c>copy</c> subcommand: the bare copy in a process of its own, so its CPU can be read from outside exactly
/// as the worker's is. Takes the worker's <c>--Kafka:…=…</c> settings and copies Kafka:InputTopic to Kafka:OutputTopic
/// until it is killed; with <c>--Copy:Shape=contract</c> it sends the worker's output shape (<see cref="ContractShape"/>).
/// </summary>
internal static class CopyCommand
{
    public static int Run(string[] args)
    {
        var settings = new ConfigurationBuilder().AddCommandLine(args).Build();
        string Setting(string key) => settings[key] ?? throw new ArgumentException($"copy: --{key} is required");
        var shape = settings["Copy:Shape"] switch
        {
            null or "same" => null,
            "contract" => ContractShape.Create(),
            var other => throw new ArgumentException($"copy: --Copy:Shape must be same or contract, not {other}"),
        };
        using var clients = WorkerClients.Build(settings.AsEnumerable());
        using var stopping = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stopping.Cancel();
        };
        clients.Consumer.Subscribe(Setting("Kafka:InputTopic"));
        CopyLoop.Run(clients.Consumer, clients.Producer, Setting("Kafka:OutputTopic"), _ => stopping.IsCancellationRequested, shape: shape);
        clients.Consumer.Close();
        return 0;
    }
}
