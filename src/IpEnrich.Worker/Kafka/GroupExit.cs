using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// The consumer's way out at the graceful stop: it leaves its group within a bound, and is disposed only if it did.
/// With the cooperative assignor, librdkafka's close can hang for good when it serves an assignment that arrived while
/// the stop was draining (the revocation that follows never completes), and a stop that never ends is a pod killed
/// with nothing said.
/// </summary>
internal sealed class GroupExit(IConsumer<byte[]?, byte[]?> consumer) : IDisposable
{
    /// <summary>Leaving is one request to the coordinator; a close still running after this is the hang.</summary>
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private Task? _close;

    /// <summary>
    /// Serves a rebalance that arrived during the stop, then closes the consumer on a thread of its own and waits up to
    /// <paramref name="timeout"/>. A message that poll returns is left unprocessed and uncommitted: the partition's next
    /// owner consumes it. Rethrows what the close threw.
    /// </summary>
    /// <returns>False when the close did not return in time: the group moves its partitions after <c>session.timeout.ms</c>.</returns>
    public bool TryLeave(TimeSpan timeout)
    {
        try
        {
            consumer.Consume(TimeSpan.Zero); // an assignment handled here, not inside the close, does not hang it
        }
        catch (ConsumeException)
        {
            // The close follows all the same.
        }

        var close = _close = Task.Factory.StartNew(consumer.Close, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        try
        {
            close.WaitAsync(timeout).GetAwaiter().GetResult(); // the consume thread is dedicated: it may block
            return true;
        }
        catch (TimeoutException) when (!close.IsCompleted)
        {
            return false;
        }
    }

    /// <summary>Disposes the consumer (a no-op after a close), unless its close is still running: its handle is inside it.</summary>
    public void Dispose()
    {
        if (_close is not { IsCompleted: false })
        {
            consumer.Dispose();
        }
    }
}
