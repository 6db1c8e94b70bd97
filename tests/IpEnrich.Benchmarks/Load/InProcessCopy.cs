using System.Diagnostics;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The copy on a thread of the harness: it feeds each measured phase its input from the shared topic, and carries the
/// paced stream whose latency is the transport's share. Its CPU is the harness's, so it is never the CPU baseline.
/// </summary>
internal static class InProcessCopy
{
    /// <summary>Copies <paramref name="alerts"/> messages and returns how long that took from the first one consumed.</summary>
    public static Task<PhaseRate> RunAsync(string bootstrap, int alerts, string from, string to, string group)
    {
        var done = new TaskCompletionSource<PhaseRate>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                using var clients = WorkerClients.Build(LoadSettings.Kafka(bootstrap, from, to, group));
                clients.Consumer.Subscribe(from);
                Stopwatch? watch = null;
                var gc = default(ManagedAllocations);
                CopyLoop.Run(clients.Consumer, clients.Producer, to, delivered => delivered >= alerts, () =>
                {
                    gc = ManagedAllocations.Read();
                    watch = Stopwatch.StartNew();
                });
                watch!.Stop();
                gc = ManagedAllocations.Read().Since(gc);
                clients.Consumer.Close();
                done.SetResult(new PhaseRate(alerts, watch.Elapsed, gc));
            }
            catch (Exception ex)
            {
                done.SetException(ex);
            }
        })
        { IsBackground = true, Name = "copy-" + to };
        thread.Start();
        return done.Task;
    }
}
