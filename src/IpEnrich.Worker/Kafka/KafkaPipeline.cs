using Confluent.Kafka;
using IpEnrich.Core.Telemetry;
using IpEnrich.Worker.Backlog;
using IpEnrich.Worker.Hosting;
using IpEnrich.Worker.Pipeline;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Kafka in → enrich → Kafka out: the consume loop and the wiring of its parts (docs/architecture.md §3). The loop runs on a dedicated thread and only polls: <see cref="PartitionLanes"/> admits each message,
/// <see cref="PrepareWorkers"/> run <see cref="MessageHandler"/> on it, the <see cref="OffsetStore"/> turns delivery
/// reports into stored offsets (or <see cref="ExactlyOnceCoordinator"/> commits transactions), and
/// <see cref="PartitionAssignment"/> handles rebalances and the graceful stop.
/// </summary>
public sealed class KafkaPipeline : BackgroundService, IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly KafkaOptions _options;
    private readonly string? _updatesTopic;
    private readonly AlertProcessor _processor;
    private readonly BacklogScheduler _backlog;
    private readonly KafkaClientFactory _clients;
    private readonly ConsumerLagMonitor _lag;
    private readonly TimeProvider _time;
    private readonly WorkerExit _exit;
    private readonly IpEnrichTelemetry _telemetry;
    private readonly ILogger<KafkaPipeline> _logger;
    private readonly InFlightBudget _budget;
    private OffsetStore? _offsets;
    private PartitionLanes? _lanes;
    private KafkaLateUpdateSink? _lateUpdates;
    private ExactlyOnceCoordinator? _transactions;
    private long _consumed;
    private volatile bool _running;

    public KafkaPipeline(IOptions<KafkaOptions> options, IOptions<EnrichmentOptions> enrichment, AlertProcessor processor, BacklogScheduler backlog,
        KafkaClientFactory clients, ConsumerLagMonitor lag, TimeProvider time, WorkerExit exit, IpEnrichTelemetry telemetry,
        ILogger<KafkaPipeline> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(enrichment);
        (_options, _processor, _backlog, _clients, _lag, _time, _exit, _telemetry, _logger) =
            (options.Value, processor, backlog, clients, lag, time, exit, telemetry, logger);
        _updatesTopic = string.IsNullOrWhiteSpace(enrichment.Value.UpdatesTopic) ? null : enrichment.Value.UpdatesTopic;
        _budget = new InFlightBudget(_options.MaxInFlightBytes);
        telemetry.ObserveConsumerLag(() => lag.Lag);
        telemetry.ObserveInFlightBytes(() => _budget.Held);
    }

    // For health, the demo's progress line and tests: inputs consumed, outputs and dead letters acknowledged, late
    // updates handed to the producer, exactly-once rewinds, and the lag from librdkafka's statistics (-1: unknown).
    public long Consumed => Interlocked.Read(ref _consumed);

    public long Delivered => _offsets?.Delivered ?? 0;

    public long LateUpdates => _lateUpdates?.Published ?? 0;

    public bool IsRunning => _running;

    public int AssignedPartitions => _lanes?.Count ?? 0;

    public long TransactionRewinds => _transactions?.Rewinds ?? 0;

    public long ConsumerLag => _lag.Lag;

    /// <summary>Bytes held between consume and produce (<see cref="KafkaOptions.MaxInFlightBytes"/>).</summary>
    public long InFlightBytes => _budget.Held;

    /// <summary>The consume loop on a dedicated thread (LongRunning): it blocks in Consume and, by design, in drains.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Factory.StartNew(() =>
    {
        Thread.CurrentThread.Name = "ipenrich-consume-loop";
        try
        {
            RunConsumeLoop(stoppingToken);
        }
        catch (Exception ex)
        {
            PipelineLog.PipelineFailed(_logger, ex);
            _exit.Fail(ex is KafkaException ? WorkerExit.Kafka : WorkerExit.Unexpected);
            throw;
        }
    }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Disposed without a stop (a host whose start failed, or one disposed early): cancels the loop as
    /// <see cref="BackgroundService.Dispose"/> does, then waits for its graceful stop, bounded by two drain times, so
    /// the Kafka clients are normally closed before the services they use are disposed.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        Dispose();
        if (ExecuteTask is { } loop)
        {
            var limit = 2 * _options.DrainTimeout;
            await loop.WaitAsync(limit).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // its failure was logged by the loop
            if (!loop.IsCompleted)
            {
                PipelineLog.StillStoppingAtDisposal(_logger, limit.TotalSeconds);
            }
        }
    }

    private void RunConsumeLoop(CancellationToken stoppingToken)
    {
        using var producer = _clients.BuildProducer(reportsServedByCaller: !_options.Transactions);
        using var transactional = _options.Transactions ? new TransactionalOutput(producer, _options.DrainTimeout) : null;
        MessageHandler? handler = null;
        using var output = new OutputProducer(producer, transactional, (refused, error) => handler!.ReplaceRefused(refused, error), OnProducingFailed);
        PartitionAssignment? assignment = null;
        var consumer = _clients.BuildConsumer(() => assignment!);
        using var group = new GroupExit(consumer);
        var offsets = _offsets = new OffsetStore(consumer, transactional is not null, () => _exit.Fail(WorkerExit.Kafka), _logger);
        var lateUpdates = _lateUpdates = _updatesTopic is null ? null : new KafkaLateUpdateSink(_updatesTopic, output, _time, _processor.Triage);
        var records = new AlertRecordBuilder(_processor, _options, lateUpdates is null ? null : _backlog, _logger);
        handler = new MessageHandler(records, output, offsets, new UnpublishableRecords(_options, _telemetry), _telemetry, _time, _exit, _logger);
        using var prepare = new PrepareWorkers(_options.PrepareWorkers, handler.Start);
        var lanes = _lanes = new PartitionLanes(consumer, prepare, _options.MaxInFlightPerPartition, handler.ProduceInOrderAsync, _budget);
        var transactions = _transactions = transactional is null ? null : new ExactlyOnceCoordinator(transactional, lanes, consumer, _options, _time, _logger);
        assignment = new PartitionAssignment(lanes, offsets, output, transactions, _options.DrainTimeout, _logger);
        try
        {
            transactions?.Start();
            _backlog.AttachSink(lateUpdates);
            consumer.Subscribe(_options.InputTopic);
            _running = true;
            PipelineLog.Started(_logger, _options.InputTopic!, _options.OutputTopic!, _options.DeadLetterTopic!);
            Poll(consumer, prepare, output, lanes, offsets, transactions, stoppingToken);

            // Graceful stop: finish what is in flight and the late updates of lookups this replica holds, within one
            // drain time; publish and commit; leave the group. The rest of the backlog stays for the other replicas.
            using var stop = new GracefulStop(_time, _options.DrainTimeout, _logger);
            stop.Step("finishing in-flight messages");
            assignment.DrainAll();
            stop.Step("publishing the late updates of held lookups");
            _backlog.StopClaimingAsync(_options.DrainTimeout - stop.Elapsed).Wait(CancellationToken.None); // a dedicated thread: it may block
            stop.Step("committing");
            assignment.CommitProduced();
            stop.Step("leaving the consumer group");
            stop.Done(leftGroup: group.TryLeave(GroupExit.Timeout), GroupExit.Timeout);
        }
        finally
        {
            _backlog.AttachSink(null);
            _running = false;
            prepare.CompleteAsync().Wait(_options.DrainTimeout, CancellationToken.None); // the lanes are gone: the loops hold nothing but end items
        }
    }

    private void Poll(IConsumer<byte[]?, byte[]?> consumer, PrepareWorkers prepare, OutputProducer output, PartitionLanes lanes, OffsetStore offsets,
        ExactlyOnceCoordinator? transactions, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            offsets.Apply();
            transactions?.CommitIfDue();
            lanes.RetryWaiting();
            if (!prepare.WaitForRoom(PollTimeout))
            {
                continue;
            }

            // Paces the poll, never stops it: a producer stuck for minutes (brokers unreachable) must not cost the
            // group membership, and the in-flight budget bounds what is consumed meanwhile.
            output.WaitForRoom(PollTimeout);

            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = consumer.Consume(PollTimeout);
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                PipelineLog.ConsumeError(_logger, ex.Error.Reason);
                continue;
            }

            // This thread only polls and hands over, as a bare consume→produce copy would; the work runs on the
            // partition's prepare loop. A full lane pauses its partition instead of blocking the poll.
            if (result is { IsPartitionEOF: false } && lanes.Admit(result, _time.GetTimestamp()))
            {
                Interlocked.Increment(ref _consumed);
            }
        }
    }

    private void OnProducingFailed(Exception error)
    {
        PipelineLog.ProducingFailed(_logger, error);
        _exit.Fail(WorkerExit.Unexpected);
    }
}
