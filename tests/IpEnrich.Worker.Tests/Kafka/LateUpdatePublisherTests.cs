using System.Net;
using Confluent.Kafka;
using IpEnrich.Core.Enrichment;
using IpEnrich.Testing;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Tests.Support;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class LateUpdatePublisherTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private static readonly IpLookupResult Answer = IpLookupResult.NotSeen(LookupSource.Api, DateTimeOffset.UnixEpoch);

    private readonly TestTelemetry _telemetry = new();
    private readonly RecordingProducer _producer = new();
    private readonly FakeLogger _logger = new();
    private readonly TaskCompletionSource _answered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _waiting = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Lookups that finish when the test says so (<see cref="_answered"/>); still running after the limit, they read as deferred.</summary>
    private async Task<IpLookupResult[]> AwaitAnswers(IReadOnlyList<IPAddress> ips, TimeSpan limit, CancellationToken cancellationToken)
    {
        _waiting.TrySetResult();
        try
        {
            await _answered.Task.WaitAsync(limit, cancellationToken);
            return [.. ips.Select(_ => Answer)];
        }
        catch (TimeoutException)
        {
            return [.. ips.Select(_ => IpLookupResult.Deferred(DeferralReason.Timeout))];
        }
    }

    private LateUpdatePublisher Publisher(int capacity, int readers = 16) =>
        new("updates", 720, AwaitAnswers, new OutputProducer(_producer, null), _telemetry.Instruments, new FakeTimeProvider(), _logger, capacity, readers);

    private static void Enqueue(LateUpdatePublisher publisher, long offset) =>
        publisher.Enqueue(new TopicPartitionOffset("in", 0, offset), null, [IPAddress.Parse("198.51.100.7")]);

    [Fact]
    public async Task A_full_queue_drops_the_update_and_counts_it()
    {
        using var updates = new MetricCollector<long>(_telemetry.Instruments.Updates);
        using var publisher = Publisher(capacity: 1, readers: 1);
        Enqueue(publisher, 0);
        await _waiting.Task.WaitAsync(Patience, TestContext.Current.CancellationToken); // the one reader holds it

        Enqueue(publisher, 1); // fills the queue
        Enqueue(publisher, 2); // no room
        Enqueue(publisher, 3);

        Assert.Equal(2, publisher.Dropped);
        Assert.Equal(2, updates.GetMeasurementSnapshot().Where(m => Equals(m.Tags["outcome"], "dropped")).Sum(m => m.Value));
        Assert.Single(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1051); // logged once, not per drop

        _answered.SetResult();
        publisher.Drain(Patience);
        Assert.Equal(2, publisher.Published);
    }

    [Fact]
    public async Task At_stop_queued_updates_still_get_their_answers_within_the_drain_time()
    {
        using var publisher = Publisher(capacity: 100);
        for (var i = 0; i < 20; i++)
        {
            Enqueue(publisher, i);
        }

        await _waiting.Task.WaitAsync(Patience, TestContext.Current.CancellationToken);
        _ = Task.Run(async () =>
        {
            await Task.Delay(50);
            _answered.SetResult(); // the lookups finish while the worker is stopping
        }, TestContext.Current.CancellationToken);
        publisher.Drain(Patience);

        Assert.Equal(20, publisher.Published);
        Assert.Equal(Enumerable.Repeat("updates", 20), _producer.Produced);
    }

    [Fact]
    public void At_stop_updates_whose_lookups_do_not_finish_in_time_are_counted_and_logged()
    {
        using var publisher = Publisher(capacity: 100);
        Enqueue(publisher, 0);
        Enqueue(publisher, 1);

        publisher.Drain(TimeSpan.FromMilliseconds(50));

        Assert.Equal(0, publisher.Published);
        Assert.Equal(2, publisher.Unanswered);
        Assert.Contains(_logger.Collector.GetSnapshot(), r => r.Id.Id == 1052 && r.Message.Contains("2 late updates", StringComparison.Ordinal));
    }

    public void Dispose() => _telemetry.Dispose();
}
