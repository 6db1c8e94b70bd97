namespace IpEnrich.Worker.Kafka;

/// <summary>
/// <c>ipenrich.consumer.lag</c> from librdkafka's statistics. They arrive on the poll thread, which only hands them
/// off: one document at a time is parsed on the thread pool, the rest are skipped. A document that cannot be read is
/// logged once, and reading goes on with the next.
/// </summary>
public sealed class ConsumerLagMonitor(ILogger<ConsumerLagMonitor> logger)
{
    private long _lag = -1;
    private int _parsing;
    private int _reportedProblem;

    /// <summary>Messages behind the end of the input partitions this consumer owns; -1 before the first report or when unreadable.</summary>
    public long Lag => Interlocked.Read(ref _lag);

    /// <summary>The task parsing the latest document handed over (completed when none is).</summary>
    internal Task Parsing { get; private set; } = Task.CompletedTask;

    /// <summary>On the poll thread: hands a statistics document to the thread pool unless one is being parsed.</summary>
    public void OnStatistics(string json, string topic)
    {
        if (Interlocked.CompareExchange(ref _parsing, 1, 0) == 0)
        {
            Parsing = Task.Run(() => Read(json, topic));
        }
    }

    private void Read(string json, string topic)
    {
        try
        {
            if (ConsumerLagReader.TryReadLag(json, topic, out var lag, out var problem))
            {
                Interlocked.Exchange(ref _lag, lag);
            }
            else
            {
                Unreadable(problem!);
            }
        }
        catch (Exception ex)
        {
            Unreadable($"{ex.GetType().Name}: {ex.Message}"); // never let the task die with the gauge frozen
        }
        finally
        {
            Interlocked.Exchange(ref _parsing, 0);
        }
    }

    private void Unreadable(string problem)
    {
        Interlocked.Exchange(ref _lag, -1);
        if (Interlocked.Exchange(ref _reportedProblem, 1) == 0)
        {
            PipelineLog.StatisticsUnreadable(logger, problem);
        }
    }
}
