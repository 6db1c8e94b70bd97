using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary>The worker as a real process, killed with SIGKILL mid-stream and restarted: nothing is lost.</summary>
public sealed class CrashRecoveryTests
{
    private const int Alerts = 4000;

    [Fact]
    public async Task Kill_9_mid_stream_then_restart_loses_nothing()
    {
        var seen = await KillAndRestartAsync(transactions: false);

        Assert.Equal(Alerts, seen.Count); // every input is in the output
        var duplicates = seen.Values.Sum(n => n - 1);
        TestContext.Current.SendDiagnosticMessage($"kill -9 recovery: {Alerts} inputs, {duplicates} duplicates re-delivered");
        Assert.True(duplicates < Alerts, $"{duplicates} duplicates");
    }

    /// <remarks>
    /// Exactly-once across a crash cannot be asserted on librdkafka's mock cluster: it acknowledges TxnOffsetCommit
    /// without storing the offsets, so the worker's mirror commit after each transaction is what the restart resumes
    /// from, and a kill between the two replays one transaction. Observed: 0 duplicates in most runs, 2–4 in some, and
    /// in about one run in six thousands. In those runs the group's committed offsets at the kill summed to 0, 21 or 227
    /// while the read_committed reader had already seen 1,000 outputs: it saw records of transactions that had not
    /// committed (the mock exposing open transactions, or a long-stalled commit; see issue 6). Loss is asserted;
    /// duplicates are reported.
    /// </remarks>
    [Fact]
    public async Task Exactly_once_mode_kill_9_mid_stream_then_restart_loses_nothing()
    {
        var seen = await KillAndRestartAsync(transactions: true);

        Assert.Equal(Alerts, seen.Count);
        TestContext.Current.SendDiagnosticMessage($"exactly-once kill -9 recovery: {Alerts} inputs, {seen.Values.Sum(n => n - 1)} duplicates seen by read_committed");
    }

    /// <summary>Runs a worker process over <see cref="Alerts"/> inputs, SIGKILLs it after 1,000 outputs, restarts it; returns outputs per input.</summary>
    private static async Task<Dictionary<int, int>> KillAndRestartAsync(bool transactions)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "ipenrich");
        Assert.True(File.Exists(worker), worker);
        using var cluster = new MockKafkaCluster();
        cluster.CreateTopic("in", 8);
        cluster.CreateTopic("out", 8);
        cluster.CreateTopic("dlq", 1);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        using (var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 2 }).Build())
        {
            for (var i = 0; i < Alerts; i++)
            {
                producer.Produce("in", new Message<string, string> { Key = $"k{i % 64}", Value = $$"""{"seq":{{i}},"src_ip":"10.7.0.{{i % 30}}"}""" });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var environment = emulator.DefenderSettings().ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
        environment["Kafka__BootstrapServers"] = cluster.BootstrapServers;
        environment["Kafka__InputTopic"] = "in";
        environment["Kafka__OutputTopic"] = "out";
        environment["Kafka__DeadLetterTopic"] = "dlq";
        environment["Quota__PerMinute"] = "100000";
        environment["Quota__PerHour"] = "100000";
        environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        environment["Logging__LogLevel__Default"] = "Warning";
        environment["Kafka__Transactions"] = transactions ? "true" : "false";
        environment["Kafka__TransactionalId"] = "crash-test"; // the restarted instance fences the killed one at once

        var seen = new Dictionary<int, int>();
        using var reader = new ConsumerBuilder<string, string>(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers, GroupId = "verify", AutoOffsetReset = AutoOffsetReset.Earliest,
            IsolationLevel = IsolationLevel.ReadCommitted,
        }).Build();
        reader.Subscribe("out");
        void ReadUntil(Func<bool> done, TimeSpan limit)
        {
            var deadline = DateTime.UtcNow + limit;
            while (!done() && DateTime.UtcNow < deadline)
            {
                if (reader.Consume(TimeSpan.FromMilliseconds(200)) is { } r)
                {
                    var seq = JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("seq").GetInt32();
                    seen[seq] = seen.GetValueOrDefault(seq) + 1;
                }
            }
        }

        using (var first = Start(worker, environment))
        {
            ReadUntil(() => seen.Count >= 1000, TimeSpan.FromSeconds(60));
            first.Kill(); // SIGKILL: no drain, no commit
            await first.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        Assert.True(seen.Count >= 1000, $"only {seen.Count} outputs before the crash");
        using (var second = Start(worker, environment))
        {
            ReadUntil(() => seen.Count == Alerts, TimeSpan.FromSeconds(90));
            ReadUntil(() => false, TimeSpan.FromSeconds(2)); // late duplicates, if any
            second.Kill();
            await second.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        reader.Close();
        return seen;
    }

    private static Process Start(string worker, Dictionary<string, string?> environment)
    {
        var info = new ProcessStartInfo(worker) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
