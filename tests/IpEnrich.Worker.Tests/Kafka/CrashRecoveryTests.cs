using System.Diagnostics;
using System.Text.Json;
using Confluent.Kafka;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using IpEnrich.Demo.MockKafka;

namespace IpEnrich.Worker.Tests.Kafka;

/// <summary>The worker as a real process, killed with SIGKILL mid-stream and restarted: nothing is lost.</summary>
[Trait("Category", "Integration")]
public sealed class CrashRecoveryTests
{
    private const int Alerts = 4000;

    [Fact]
    public async Task Kill_9_mid_stream_then_restart_loses_nothing()
    {
        var run = await KillAndRestartAsync(transactions: false);
        var seen = run.Seen;
        AssertRedoneOnlyAfterCommitted(run);

        Assert.Equal(Alerts, seen.Count); // every input is in the output
        var duplicates = seen.Values.Sum(n => n - 1);
        TestContext.Current.SendDiagnosticMessage($"kill -9 recovery: {Alerts} inputs, {duplicates} duplicates re-delivered");
        Assert.True(duplicates < Alerts, $"{duplicates} duplicates");
    }

    /// <remarks>
    /// The mock cluster gives read_committed readers the records of open and aborted transactions
    /// (<see cref="MockKafkaClusterTests.Read_committed_sees_open_and_aborted_transactions_on_the_mock"/>), so the
    /// killed worker's unfinished transaction shows up as duplicates here that a Kafka broker would hide. What the
    /// transactions guarantee is checked instead: every re-processed input lies at or after the offset its partition
    /// had committed when the worker was killed — nothing a committed transaction answered is produced again.
    /// </remarks>
    [Fact]
    public async Task Exactly_once_mode_kill_9_then_restart_redoes_only_what_no_transaction_committed()
    {
        var run = await KillAndRestartAsync(transactions: true);

        Assert.Equal(Alerts, run.Seen.Count);
        var redone = AssertRedoneOnlyAfterCommitted(run);
        TestContext.Current.SendDiagnosticMessage($"exactly-once kill -9: {redone} inputs redone, all at or after the committed offsets");
    }

    /// <summary>Every input output more than once lies at or after its partition's committed offset at the kill; returns how many.</summary>
    private static int AssertRedoneOnlyAfterCommitted((Dictionary<int, int> Seen, Dictionary<int, (int Partition, long Offset)> Inputs, Dictionary<int, long> CommittedAtKill) run)
    {
        Assert.Equal(Alerts, run.Inputs.Count);
        var redone = run.Seen.Where(kv => kv.Value > 1).Select(kv => kv.Key).ToList();
        var violations = redone.Where(seq => run.Inputs[seq].Offset < run.CommittedAtKill.GetValueOrDefault(run.Inputs[seq].Partition)).Take(10).ToList();
        Assert.True(violations.Count == 0, $"re-processed although committed: seq {string.Join(", ", violations)}");
        return redone.Count;
    }

    /// <summary>
    /// Runs a worker process over <see cref="Alerts"/> inputs, SIGKILLs it after 1,000 outputs, restarts it. Returns
    /// outputs per input seq, each seq's input partition and offset, and the group's committed offsets at the kill.
    /// </summary>
    private static async Task<(Dictionary<int, int> Seen, Dictionary<int, (int Partition, long Offset)> Inputs, Dictionary<int, long> CommittedAtKill)> KillAndRestartAsync(bool transactions)
    {
        var worker = Path.Combine(AppContext.BaseDirectory, "ipenrich");
        Assert.True(File.Exists(worker), worker);
        using var cluster = PipelineSetup.Cluster(8);
        await using var emulator = await RunningEmulator.StartAsync("--Emulator:Quota:Enabled=false");
        await TopicWriter.WriteAsync("in", cluster.BootstrapServers, Enumerable.Range(0, Alerts)
            .Select(i => new Message<string, string> { Key = $"k{i % 64}", Value = $$"""{"seq":{{i}},"src_ip":"10.7.0.{{i % 30}}"}""" }));

        var environment = PipelineSetup.Settings(emulator, cluster).ToDictionary(kv => kv.Key.Replace(":", "__", StringComparison.Ordinal), kv => kv.Value);
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
        var committedAtKill = new Dictionary<int, long>();
        using (var probe = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = cluster.BootstrapServers, GroupId = "ipenrich" }).Build())
        {
            foreach (var committed in probe.Committed([.. Enumerable.Range(0, 8).Select(p => new TopicPartition("in", p))], TimeSpan.FromSeconds(10)))
            {
                committedAtKill[committed.Partition.Value] = Math.Max(0, committed.Offset.Value);
            }
        }
        using (var second = Start(worker, environment))
        {
            ReadUntil(() => seen.Count == Alerts, TimeSpan.FromSeconds(90));
            ReadUntil(() => false, TimeSpan.FromSeconds(2)); // late duplicates, if any
            second.Kill();
            await second.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        reader.Close();
        return (seen, ReadInputs(cluster.BootstrapServers), committedAtKill);
    }

    private static Dictionary<int, (int Partition, long Offset)> ReadInputs(string bootstrap)
    {
        var inputs = new Dictionary<int, (int, long)>();
        using var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "inputs", AutoOffsetReset = AutoOffsetReset.Earliest }).Build();
        consumer.Subscribe("in");
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (inputs.Count < Alerts && DateTime.UtcNow < deadline)
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { } r)
            {
                inputs[JsonDocument.Parse(r.Message.Value).RootElement.GetProperty("seq").GetInt32()] = (r.Partition.Value, r.Offset.Value);
            }
        }

        consumer.Close();
        return inputs;
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
