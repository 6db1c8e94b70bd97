using System.Net;
using System.Threading.Channels;
using Confluent.Kafka;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using IpEnrich.Worker.Lookup;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// <c>Enrichment:UpdatesTopic</c>: for each alert that went out with lookups still running, waits (up to
/// <see cref="MaxWait"/>) for their answers and publishes what they found, pointing at the alert. One bounded queue,
/// read by a few loops: when it is full an update is dropped and counted (<c>ipenrich.updates{outcome=dropped}</c>).
/// On stop the queue is drained within a time box; what was not answered by then is counted and logged.
/// </summary>
internal sealed class LateUpdatePublisher : IDisposable
{
    public const int DefaultCapacity = 10_000;
    public static readonly TimeSpan MaxWait = TimeSpan.FromMinutes(2);

    // The lookups behind queued updates all run at once; a few readers keep one slow answer from holding up the rest.
    private const int DefaultReaders = 16;
    private static readonly TimeSpan DropLogInterval = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan StopGrace = TimeSpan.FromSeconds(5);

    private readonly string _topic;
    private readonly int _lookBackHours;
    private readonly int _capacity;
    private readonly Func<IReadOnlyList<IPAddress>, TimeSpan, CancellationToken, Task<IpLookupResult[]>> _awaitAnswers;
    private readonly OutputProducer _output;
    private readonly IpEnrichTelemetry _telemetry;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<LateUpdate> _queue;
    private readonly Task[] _readers;
    private readonly CancellationTokenSource _stopWaiting = new();
    private long _published;
    private long _dropped;
    private long _unanswered;
    private long _droppedLoggedAt;

    /// <param name="awaitAnswers">
    /// The IPs' results once every lookup has finished or the wait is over (<see cref="LookupService.AwaitPendingAsync"/>);
    /// a result still unknown then is a deferral.
    /// </param>
    public LateUpdatePublisher(string topic, int lookBackHours, Func<IReadOnlyList<IPAddress>, TimeSpan, CancellationToken, Task<IpLookupResult[]>> awaitAnswers,
        OutputProducer output, IpEnrichTelemetry telemetry, TimeProvider time, ILogger logger, int capacity = DefaultCapacity, int readers = DefaultReaders)
    {
        _topic = topic;
        _lookBackHours = lookBackHours;
        _capacity = capacity;
        _awaitAnswers = awaitAnswers;
        _output = output;
        _telemetry = telemetry;
        _time = time;
        _logger = logger;
        _queue = Channel.CreateBounded<LateUpdate>(new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.Wait });
        _readers = [.. Enumerable.Range(0, readers).Select(_ => Task.Run(ReadAsync))];
        _droppedLoggedAt = time.GetTimestamp() - (long)(DropLogInterval.TotalSeconds * time.TimestampFrequency);
    }

    /// <summary>Late-update records handed to the producer.</summary>
    public long Published => Interlocked.Read(ref _published);

    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Updates that ended with no final answer for any of their IPs (nothing to publish).</summary>
    public long Unanswered => Interlocked.Read(ref _unanswered);

    /// <summary>Queues the update of one published alert; when the queue is full it is dropped and counted.</summary>
    public void Enqueue(TopicPartitionOffset input, byte[]? key, List<IPAddress> ips)
    {
        if (_queue.Writer.TryWrite(new LateUpdate(input, key, ips, _time.GetTimestamp())))
        {
            return;
        }

        var dropped = Interlocked.Increment(ref _dropped);
        Count("dropped");
        var loggedAt = Interlocked.Read(ref _droppedLoggedAt);
        if (_time.GetElapsedTime(loggedAt) >= DropLogInterval && Interlocked.CompareExchange(ref _droppedLoggedAt, _time.GetTimestamp(), loggedAt) == loggedAt)
        {
            PipelineLog.LateUpdatesDropped(_logger, _capacity, dropped);
        }
    }

    /// <summary>
    /// At stop, on the consume thread (a dedicated one, so it may block): takes no more updates, lets the queued ones
    /// wait for their answers up to <paramref name="timeout"/>, then publishes what is answered without waiting further
    /// (a few seconds at most).
    /// </summary>
    public void Drain(TimeSpan timeout)
    {
        _queue.Writer.TryComplete();
        var readers = Task.WhenAll(_readers);
        var unansweredBefore = Unanswered;
        if (!readers.Wait(timeout))
        {
            _stopWaiting.Cancel();
            readers.Wait(StopGrace); // no more waiting for answers or producer room: only what is ready is published
        }

        if (Unanswered - unansweredBefore is > 0 and var left)
        {
            PipelineLog.LateUpdatesUnanswered(_logger, left);
        }
    }

    private async Task ReadAsync()
    {
        await foreach (var update in _queue.Reader.ReadAllAsync())
        {
            await PublishAsync(update);
        }
    }

    private async Task PublishAsync(LateUpdate update)
    {
        try
        {
            var results = await AnswersAsync(update);
            if (LateUpdateRecord.Serialize(update.Input, update.Key, _lookBackHours, _time.GetUtcNow(), update.Ips, results) is not { } value)
            {
                Interlocked.Increment(ref _unanswered);
                Count("unanswered");
                return;
            }

            var message = new Message<byte[]?, byte[]?> { Key = update.Key, Value = value, Headers = AlertHeaders.CopyWith(null, (AlertHeaders.Status, "update")) };
            await _output.ProduceAsync(null, 0, new OutgoingRecord(_topic, message), report => OnDelivery(update.Input, report), _stopWaiting.Token);
            Interlocked.Increment(ref _published);
            Count("published");
        }
        catch (OperationCanceledException)
        {
            PipelineLog.LateUpdateFailed(_logger, update.Input, "stopping: the producer had no room left in the drain time");
        }
        catch (Exception ex) when (ex is KafkaException or ObjectDisposedException)
        {
            PipelineLog.LateUpdateFailed(_logger, update.Input, ex.Message);
        }
    }

    /// <summary>The IPs' results once all are answered, <see cref="MaxWait"/> after queueing, or at stop, whichever is first.</summary>
    private async Task<IpLookupResult[]> AnswersAsync(LateUpdate update)
    {
        var left = MaxWait - _time.GetElapsedTime(update.QueuedAt);
        try
        {
            return await _awaitAnswers(update.Ips, left > TimeSpan.Zero ? left : TimeSpan.Zero, _stopWaiting.Token);
        }
        catch (OperationCanceledException) when (_stopWaiting.IsCancellationRequested)
        {
            return await _awaitAnswers(update.Ips, TimeSpan.Zero, CancellationToken.None);
        }
    }

    private void OnDelivery(TopicPartitionOffset input, DeliveryReport<byte[]?, byte[]?> report)
    {
        if (report.Error.IsError)
        {
            PipelineLog.LateUpdateFailed(_logger, input, report.Error.Reason);
        }
    }

    public void Dispose() => _stopWaiting.Dispose();

    private void Count(string outcome) => _telemetry.Updates.Add(1, new KeyValuePair<string, object?>("outcome", outcome));

    private sealed record LateUpdate(TopicPartitionOffset Input, byte[]? Key, List<IPAddress> Ips, long QueuedAt);
}
