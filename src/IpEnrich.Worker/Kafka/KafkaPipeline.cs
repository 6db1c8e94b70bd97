using System.Collections.Concurrent;
using CommunityToolkit.HighPerformance.Buffers;
using Confluent.Kafka;
using IpEnrich.Core.Annotation;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Pipeline;
using Microsoft.Extensions.ObjectPool;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Kafka in → enrich → Kafka out (DESIGN §2). The consume loop runs on a dedicated thread with
/// <c>enable.auto.offset.store=false</c> and only polls; a pool of prepare loops does the work, each partition pinned
/// to one. Each partition has a bounded lane, processed concurrently and produced in consume order (same key, headers
/// copied, <c>ipenrich-status</c> added); an offset is stored only once every earlier message of its partition is
/// acknowledged by the broker, so a crash re-delivers rather than loses. A full lane pauses its partition instead of
/// blocking; revoked partitions drain (time-boxed) and commit before they go.
/// </summary>
public sealed partial class KafkaPipeline : BackgroundService
{
    private static readonly TimeSpan LateUpdateWait = TimeSpan.FromMinutes(2);

    private readonly KafkaOptions _options;
    private readonly AlertProcessor _processor;
    private readonly LookupService _lookups;
    private readonly TimeProvider _time;
    private readonly string? _updatesTopic;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly IpEnrich.Core.Telemetry.IpEnrichTelemetry _telemetry;
    private readonly ILogger<KafkaPipeline> _logger;
    private readonly ObjectPool<AlertExtraction> _scratch = new DefaultObjectPool<AlertExtraction>(new DefaultPooledObjectPolicy<AlertExtraction>(), 1024);
    private readonly ConcurrentDictionary<TopicPartition, PartitionLane> _lanes = new();
    private readonly ConcurrentQueue<(TopicPartition Partition, long Offset, Error Error)> _deliveries = new();
    private readonly RepeatedErrorThrottle _errorThrottle;
    private IConsumer<byte[]?, byte[]?>? _consumer;
    private IProducer<byte[]?, byte[]?>? _producer;
    private TransactionalOutput? _transactions;
    private PrepareWorkers? _prepare;
    private long _nextTransactionCommit;
    private CancellationToken _stopping;

    public KafkaPipeline(IOptions<KafkaOptions> options, IOptions<EnrichmentOptions> enrichment, AlertProcessor processor, LookupService lookups,
        TimeProvider time, IHostApplicationLifetime lifetime, IpEnrich.Core.Telemetry.IpEnrichTelemetry telemetry, ILogger<KafkaPipeline> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(enrichment);
        _options = options.Value;
        _updatesTopic = string.IsNullOrWhiteSpace(enrichment.Value.UpdatesTopic) ? null : enrichment.Value.UpdatesTopic;
        _processor = processor;
        _lookups = lookups;
        _time = time;
        _lifetime = lifetime;
        _telemetry = telemetry;
        _logger = logger;
        _errorThrottle = new RepeatedErrorThrottle(time);
    }

    /// <summary>Inputs consumed, outputs and dead letters acknowledged (for tests and the demo's progress line).</summary>
    public long Consumed => Interlocked.Read(ref _consumed);

    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Late-update records handed to the producer (<c>Enrichment:UpdatesTopic</c>).</summary>
    public long LateUpdates => Interlocked.Read(ref _lateUpdates);

    private long _lateUpdates;

    private long _consumed;
    private long _delivered;
    private long _lag = -1;
    private volatile bool _running;

    public bool IsRunning => _running;

    public int AssignedPartitions => _lanes.Count;

    /// <summary>Exactly-once mode: transactions aborted and replayed from the committed offsets.</summary>
    public long TransactionRewinds => Interlocked.Read(ref _rewinds);

    private long _rewinds;

    /// <summary>Messages behind the end of the input partitions this consumer owns (from librdkafka statistics); -1 before the first report.</summary>
    public long ConsumerLag => Interlocked.Read(ref _lag);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _stopping = stoppingToken;
        var prepare = _prepare = new PrepareWorkers(_options.PrepareWorkers, StartPrepared);
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                RunConsumeLoop(stoppingToken);
                completion.SetResult();
            }
            catch (Exception ex)
            {
                LogPipelineFailed(_logger, ex);
                completion.SetException(ex);
                _lifetime.StopApplication();
            }
        })
        {
            IsBackground = true,
            Name = "ipenrich-consume-loop",
        };
        thread.Start();
        try
        {
            await completion.Task;
        }
        finally
        {
            await prepare.CompleteAsync(); // the lanes are drained: the loops hold nothing but end-of-lane markers
            prepare.Dispose();
        }
    }

    private void RunConsumeLoop(CancellationToken stoppingToken)
    {
        using var producer = _producer = BuildProducer();
        using var consumer = _consumer = BuildConsumer();
        using var transactions = _transactions = _options.Transactions ? new TransactionalOutput(producer, _options.DrainTimeout) : null;
        transactions?.Start();
        consumer.Subscribe(_options.InputTopic);
        _running = true;
        LogStarted(_logger, _options.InputTopic!, _options.OutputTopic!, _options.DeadLetterTopic!);
        while (!stoppingToken.IsCancellationRequested)
        {
            ApplyDeliveries();
            CommitTransactionIfDue();
            RetryPending();
            if (!_prepare!.WaitForRoom(TimeSpan.FromMilliseconds(100)))
            {
                continue;
            }

            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            }
            catch (ConsumeException ex) when (!ex.Error.IsFatal)
            {
                LogConsumeError(_logger, ex.Error.Reason);
                continue;
            }

            if (result is null || result.IsPartitionEOF || !_lanes.TryGetValue(result.TopicPartition, out var lane))
            {
                continue;
            }

            // This thread only polls and hands over, as a bare consume→produce copy would; the work runs on the
            // partition's prepare loop. A full lane pauses its partition instead of blocking the poll.
            Interlocked.Increment(ref _consumed);
            var consumedAt = _time.GetTimestamp();
            lane.Tracker.Consumed(result.Offset.Value);
            if (lane.TryReserve())
            {
                _prepare!.Post(lane, result, consumedAt);
            }
            else
            {
                lane.Pending = (result, consumedAt);
                _paused.Add(lane);
                consumer.Pause([lane.Partition]);
            }
        }

        // Graceful stop: finish what is in flight (time-boxed), publish, store and commit, then leave the group.
        DrainAndCommit([.. _lanes.Keys]);
        consumer.Close();
        _running = false;
    }

    /// <summary>librdkafka statistics arrive on the poll thread: only hand them off; parse on the thread pool.</summary>
    private void OnStatistics(string json)
    {
        if (Interlocked.CompareExchange(ref _parsingStatistics, 1, 0) == 0)
        {
            _ = Task.Run(() =>
            {
                try
                {
                    Interlocked.Exchange(ref _lag, ConsumerLagReader.TotalLag(json, _options.InputTopic!));
                }
                finally
                {
                    Interlocked.Exchange(ref _parsingStatistics, 0);
                }
            });
        }
    }

    private int _parsingStatistics;

    private async ValueTask<OutgoingRecord> PrepareAsync(ConsumeResult<byte[]?, byte[]?> source, CancellationToken cancellationToken)
    {
        // W3C trace context: the alert's span continues the producer's trace, and the output carries it on.
        using var activity = IpEnrich.Core.Telemetry.IpEnrichTelemetry.ActivitySource.StartActivity(
            "ipenrich.enrich", System.Diagnostics.ActivityKind.Consumer, ParentContext(source.Message.Headers));
        activity?.SetTag("messaging.destination.name", source.Topic);
        activity?.SetTag("messaging.kafka.partition", source.Partition.Value);
        activity?.SetTag("messaging.kafka.offset", source.Offset.Value);
        var scratch = _scratch.Get();
        // Sized for the alert plus a typical enrichment property, so the writer does not grow it per message.
        using var buffer = new ArrayPoolBufferWriter<byte>((source.Message.Value?.Length ?? 0) + 1024);
        try
        {
            var outcome = await _processor.ProcessAsync(source.Message.Value ?? [], scratch, buffer, cancellationToken);
            if (outcome.Rejection is { } rejection)
            {
                return DeadLetter(source, rejection.Reason);
            }

            if (_updatesTopic is not null && StillFetching(scratch.Candidates, outcome.Results) is { } pending)
            {
                _ = PublishLateUpdateAsync(_updatesTopic, source.TopicPartitionOffset, source.Message.Key, pending);
            }

            var message = new Message<byte[]?, byte[]?>
            {
                Key = source.Message.Key,
                Value = buffer.WrittenSpan.ToArray(),
                Timestamp = source.Message.Timestamp,
                Headers = AlertHeaders.WithStatus(source.Message.Headers, outcome.Status!.Value),
            };
            if (activity is not null)
            {
                message.Headers.Remove("traceparent");
                message.Headers.Add("traceparent", System.Text.Encoding.ASCII.GetBytes(activity.Id!));
            }

            return new OutgoingRecord(_options.OutputTopic!, message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug must not lose the alert: it goes to the dead-letter topic with the reason.
            LogProcessingFailed(_logger, source.TopicPartitionOffset, ex);
            return DeadLetter(source, $"internal error: {ex.GetType().Name}");
        }
        finally
        {
            _scratch.Return(scratch);
        }
    }

    /// <summary>The IPs published as deferred while their fetch goes on (reason <c>timeout</c>); null when there are none.</summary>
    private static List<System.Net.IPAddress>? StillFetching(IReadOnlyList<System.Net.IPAddress> ips, IReadOnlyList<IpLookupResult> results)
    {
        List<System.Net.IPAddress>? pending = null;
        for (var i = 0; i < results.Count; i++)
        {
            if (results[i] is { Status: IpLookupStatus.Deferred, Detail: DeferralReason.Timeout })
            {
                (pending ??= []).Add(ips[i]);
            }
        }

        return pending;
    }

    /// <summary>
    /// Waits for the background fetches of an alert's deferred IPs and publishes what they found to the updates topic,
    /// for triage queues that want late enrichment. Best effort: the alert itself is already published.
    /// </summary>
    private async Task PublishLateUpdateAsync(string topic, TopicPartitionOffset input, byte[]? key, List<System.Net.IPAddress> ips)
    {
        try
        {
            var results = await _lookups.AwaitPendingAsync(ips, LateUpdateWait, _stopping, _processor.LookBackHours);
            if (LateUpdateRecord.Serialize(input, key, _processor.LookBackHours, _time.GetUtcNow(), ips, results) is not { } value)
            {
                return;
            }

            var message = new Message<byte[]?, byte[]?> { Key = key, Value = value, Headers = AlertHeaders.CopyWith(null, (AlertHeaders.Status, "update")) };
            void OnDelivery(DeliveryReport<byte[]?, byte[]?> report)
            {
                if (report.Error.IsError)
                {
                    LogLateUpdateFailed(_logger, input, report.Error.Reason);
                }
            }

            var record = new OutgoingRecord(topic, message);
            if (_transactions is not null)
            {
                await _transactions.ProduceAsync(null, 0, record, OnDelivery, _stopping);
            }
            else
            {
                await _producer!.ProduceWhenQueuedAsync(record, OnDelivery, _stopping);
            }

            Interlocked.Increment(ref _lateUpdates);
        }
        catch (OperationCanceledException)
        {
            // Stopping: late updates are best effort.
        }
        catch (Exception ex) when (ex is KafkaException or ObjectDisposedException)
        {
            LogLateUpdateFailed(_logger, input, ex.Message);
        }
    }

    private static System.Diagnostics.ActivityContext ParentContext(Headers? headers)
    {
        return headers is not null && headers.TryGetLastBytes("traceparent", out var header)
            && System.Diagnostics.ActivityContext.TryParse(System.Text.Encoding.ASCII.GetString(header), null, out var context) ? context : default;
    }

    private OutgoingRecord DeadLetter(ConsumeResult<byte[]?, byte[]?> source, string reason) => new(_options.DeadLetterTopic!, new Message<byte[]?, byte[]?>
    {
        Key = source.Message.Key,
        Value = source.Message.Value,
        Timestamp = source.Message.Timestamp,
        Headers = AlertHeaders.DeadLetter(source, reason),
    });

    /// <summary>
    /// On the partition's prepare loop, in consume order: starts the message's work; a record ready at once in a lane with
    /// nothing queued goes straight to the producer (no further thread hop on the warm path), anything else is queued for
    /// the lane's produce loop, which keeps the order.
    /// </summary>
    private void StartPrepared(PrepareItem item)
    {
        var (lane, source, consumedAt) = (item.Lane, item.Source!, item.ConsumedAt);
        if (lane.Abandon.IsCancellationRequested)
        {
            lane.Released(); // the partition is gone: its next owner consumes the message again
            return;
        }

        try
        {
            var work = PrepareAsync(source, lane.Abandon.Token);
            Task<OutgoingRecord> queued;
            if (work.IsCompletedSuccessfully)
            {
                var record = work.Result;
                if (lane.NothingQueued && TryProduceNow(source, record, consumedAt))
                {
                    lane.Released();
                    return;
                }

                queued = Task.FromResult(record); // ready, but behind its partition's earlier messages
            }
            else
            {
                queued = work.AsTask();
            }

            if (!lane.Enqueue(new InFlight(source, queued, consumedAt)))
            {
                lane.Released(); // abandoned meanwhile
            }
        }
        catch (Exception ex)
        {
            // E.g. the producer refused the record outright (not a full queue). Nothing after it may be stored, and a
            // loop that died would stall its partitions silently: stop, and the restart re-consumes from the last commit.
            LogPrepareFailed(_logger, source.TopicPartitionOffset, ex);
            _lifetime.StopApplication();
        }
    }

    /// <summary>The warm path; false when the record must go through the lane instead.</summary>
    private bool TryProduceNow(ConsumeResult<byte[]?, byte[]?> source, OutgoingRecord record, long consumedAt)
    {
        if (_transactions is not null)
        {
            return false; // transactional produces go through the commit gate, which only lanes may wait on
        }

        try
        {
            _producer!.Produce(record.Topic, record.Message, DeliveryHandler(source, consumedAt));
            return true;
        }
        catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
        {
            return false; // the lane waits for the queue to drain
        }
    }

    /// <summary>On librdkafka's delivery thread: hands the report to the consume thread and records the alert's time in the worker.</summary>
    private Action<DeliveryReport<byte[]?, byte[]?>> DeliveryHandler(ConsumeResult<byte[]?, byte[]?> source, long consumedAt)
    {
        var partition = source.TopicPartition;
        var offset = source.Offset.Value;
        return report =>
        {
            _deliveries.Enqueue((partition, offset, report.Error));
            _telemetry.AlertDuration.Record(_time.GetElapsedTime(consumedAt).TotalSeconds);
        };
    }

    /// <summary>The lane's produce loop: awaits each message's work in consume order and hands it to the producer.</summary>
    private async Task ProduceInOrderAsync(PartitionLane lane)
    {
        var token = lane.Abandon.Token;
        try
        {
            await foreach (var item in lane.Reader.ReadAllAsync(token))
            {
                var record = await item.Work;
                var onDelivery = DeliveryHandler(item.Source, item.ConsumedAt);
                if (_transactions is not null)
                {
                    await _transactions.ProduceAsync(item.Source.TopicPartition, item.Source.Offset.Value, record, onDelivery, token);
                }
                else
                {
                    await _producer!.ProduceWhenQueuedAsync(record, onDelivery, token);
                }

                lane.Produced();
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Partition lost: its in-flight messages will be re-delivered to the new owner.
        }
    }

    /// <summary>On the consume thread: delivery reports become stored offsets; a failed delivery stops progress.</summary>
    private void ApplyDeliveries()
    {
        try
        {
            TrackDeliveries();
        }
        finally
        {
            StoreWatermarks();
        }
    }

    private void TrackDeliveries()
    {
        while (_deliveries.TryDequeue(out var delivery))
        {
            if (delivery.Error.IsError && _transactions is not null)
            {
                // The transaction holding it cannot commit: the commit aborts and rewinds, so nothing is skipped.
                LogTransactionalDeliveryFailed(_logger, delivery.Partition, delivery.Offset, delivery.Error);
                continue;
            }

            if (delivery.Error.IsError)
            {
                // Nothing after this offset is stored; the process restarts and re-consumes from the last commit.
                LogDeliveryFailed(_logger, delivery.Partition, delivery.Offset, delivery.Error);
                _lifetime.StopApplication();
                return;
            }

            Interlocked.Increment(ref _delivered);
            if (_transactions is null && _lanes.TryGetValue(delivery.Partition, out var lane) && lane.Tracker.Delivered(delivery.Offset) is { } next)
            {
                _watermarks[delivery.Partition] = next;
            }
        }
    }

    /// <summary>One offset store per partition per batch of delivery reports, not one per message.</summary>
    private void StoreWatermarks()
    {
        if (_watermarks.Count == 0)
        {
            return;
        }

        foreach (var (partition, next) in _watermarks)
        {
            try
            {
                _consumer!.StoreOffset(new TopicPartitionOffset(partition, next));
            }
            catch (KafkaException ex) when (ex.Error.Code == ErrorCode.Local_State)
            {
                // The partition was revoked meanwhile; its new owner starts from the last commit.
            }
        }

        _watermarks.Clear();
    }

    // Consume thread only: the highest storable offset per partition found in the current batch of delivery reports.
    private readonly Dictionary<TopicPartition, long> _watermarks = [];

    private void RetryPending()
    {
        for (var i = _paused.Count - 1; i >= 0; i--)
        {
            var lane = _paused[i];
            if (lane.Pending is not { } pending || !_lanes.TryGetValue(lane.Partition, out var current) || current != lane)
            {
                _paused.RemoveAt(i); // drained, or gone with its partition: the message is consumed again by the next owner
            }
            else if (lane.TryReserve())
            {
                _prepare!.Post(lane, pending.Source, pending.ConsumedAt);
                lane.Pending = null;
                _paused.RemoveAt(i);
                _consumer!.Resume([lane.Partition]);
            }
        }
    }

    // Consume thread only: lanes holding a paused partition's message (usually none: no scan per consumed message).
    private readonly List<PartitionLane> _paused = [];

    private void OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        foreach (var partition in partitions)
        {
            var lane = new PartitionLane(partition, _options.MaxInFlightPerPartition);
            lane.Completion = Task.Run(() => ProduceInOrderAsync(lane), CancellationToken.None);
            _lanes[partition] = lane;
        }

        LogAssigned(_logger, partitions);
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        DrainAndCommit([.. partitions.Select(p => p.TopicPartition)]);
        LogRevoked(_logger, partitions);
    }

    private void OnLost(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        foreach (var partition in partitions)
        {
            AbandonLane(partition.TopicPartition);
        }

        if (_transactions is not null)
        {
            // The open transaction may hold outputs of the lost partitions, which their new owner will produce too.
            AbortAndRewind();
        }
    }

    /// <summary>Drops a partition's lane without draining it: its in-flight messages will be consumed again.</summary>
    private void AbandonLane(TopicPartition partition)
    {
        if (_lanes.TryRemove(partition, out var lane))
        {
            lane.Abandon.Cancel();
            lane.Complete();
        }
    }

    /// <summary>Exactly-once mode, on the consume thread: commits the open transaction every <see cref="KafkaOptions.TransactionCommitInterval"/>.</summary>
    private void CommitTransactionIfDue()
    {
        if (_transactions is null || Environment.TickCount64 < _nextTransactionCommit)
        {
            return;
        }

        _nextTransactionCommit = Environment.TickCount64 + (long)_options.TransactionCommitInterval.TotalMilliseconds;
        CommitTransaction();
    }

    private void CommitTransaction()
    {
        if (!_transactions!.Commit(_consumer!))
        {
            LogTransactionAborted(_logger, _transactions.LastAbortReason);
            RewindToCommitted();
        }
    }

    private void AbortAndRewind()
    {
        foreach (var lane in _lanes.Values)
        {
            lane.Abandon.Cancel(); // before the abort takes the gate: no abandoned lane produces into the next transaction
        }

        _transactions!.Abort();
        RewindToCommitted();
    }

    /// <summary>
    /// After an aborted transaction: every assigned partition gets a fresh lane and resumes from its committed offset,
    /// so the inputs whose outputs were discarded are processed again — none skipped, none published twice.
    /// </summary>
    private void RewindToCommitted()
    {
        var partitions = _lanes.Keys.ToList();
        foreach (var partition in partitions)
        {
            AbandonLane(partition);
        }

        if (partitions.Count == 0)
        {
            return;
        }

        OnAssigned(_consumer!, partitions);
        foreach (var committed in _consumer!.Committed(partitions, _options.DrainTimeout))
        {
            _consumer.Seek(committed.Offset == Offset.Unset ? new TopicPartitionOffset(committed.TopicPartition, Offset.Beginning) : committed);
        }

        _consumer.Resume(partitions);
        Interlocked.Increment(ref _rewinds);
        LogRewound(_logger, partitions.Count);
    }

    /// <summary>
    /// Runs on the consume thread (rebalance callback or stop): completes the lanes, waits for their in-flight work
    /// to be produced and acknowledged within <see cref="KafkaOptions.DrainTimeout"/>, stores and commits.
    /// </summary>
    private void DrainAndCommit(IReadOnlyList<TopicPartition> partitions)
    {
        var lanes = partitions.Select(p => _lanes.GetValueOrDefault(p)).OfType<PartitionLane>().ToList();
        foreach (var lane in lanes)
        {
            lane.Pending = null; // not yet handed over: re-delivered to whoever owns the partition next
            _prepare!.PostComplete(lane); // after the messages posted before it
        }

        // A blocking wait is right here: this is the dedicated consume thread inside a rebalance callback.
        var drained = Task.WhenAll(lanes.Select(l => l.Completion)).Wait(_options.DrainTimeout);
        if (_transactions is not null)
        {
            // One transaction carries the drained outputs and their offsets; an abort rewinds, so nothing is skipped.
            CommitTransaction();
            ApplyDeliveries();
            RemoveLanes(lanes);
        }
        else
        {
            _producer!.Flush(_options.DrainTimeout);
            ApplyDeliveries();
            RemoveLanes(lanes);
            CommitStoredOffsets();
        }

        if (!drained)
        {
            LogDrainTimeout(_logger, _options.DrainTimeout.TotalSeconds);
        }
    }

    private void RemoveLanes(List<PartitionLane> lanes)
    {
        foreach (var lane in lanes)
        {
            lane.Abandon.Cancel();
            _lanes.TryRemove(lane.Partition, out _);
        }
    }

    private void CommitStoredOffsets()
    {
        try
        {
            _consumer!.Commit();
        }
        catch (KafkaException ex) when (ex.Error.Code is ErrorCode.Local_NoOffset or ErrorCode.Local_State or ErrorCode.RebalanceInProgress or ErrorCode.IllegalGeneration)
        {
            // Nothing stored to commit, or the group moved on: the next owner resumes from the last commit.
        }
    }

    /// <summary><c>Kafka:Settings</c> for one client: Confluent's config classes write into the dictionary they wrap.</summary>
    private Dictionary<string, string> CopyOfUserSettings() => new(_options.Settings, StringComparer.Ordinal);

    private IProducer<byte[]?, byte[]?> BuildProducer()
    {
        var config = new ProducerConfig(CopyOfUserSettings())
        {
            BootstrapServers = _options.BootstrapServers,
            EnableIdempotence = true,
            Acks = Acks.All,
            LingerMs = 5,
            CompressionType = CompressionType.Lz4,
            DeliveryReportFields = "none", // only the report's error is read: no copy of headers back from librdkafka per message
        };
        if (_options.Transactions)
        {
            config.TransactionalId = _options.TransactionalId ?? $"{_options.GroupId}-{Environment.MachineName}";
        }

        return new ProducerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => OnClientError("producer", error))
            .Build();
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = new ConsumerConfig(CopyOfUserSettings())
        {
            BootstrapServers = _options.BootstrapServers,
            GroupId = _options.GroupId,
            EnableAutoOffsetStore = false,
            EnableAutoCommit = !_options.Transactions, // transactions commit offsets themselves
            IsolationLevel = IsolationLevel.ReadCommitted,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            PartitionAssignmentStrategy = PartitionAssignmentStrategy.CooperativeSticky,
            StatisticsIntervalMs = 5000,
        };
        if (!_options.Settings.ContainsKey("auto.commit.interval.ms"))
        {
            // Stored offsets reach the broker every second: after a crash, at most about a second's work is redone.
            config.AutoCommitIntervalMs = 1000;
        }

        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetStatisticsHandler((_, json) => OnStatistics(json))
            .SetLogHandler((_, message) => LogLibrdkafka(_logger, message.Level, message.Facility, message.Message))
            .SetPartitionsAssignedHandler(OnAssigned)
            .SetPartitionsRevokedHandler(OnRevoked)
            .SetPartitionsLostHandler(OnLost)
            .SetErrorHandler((_, error) => OnClientError("consumer", error))
            .Build();
    }

    private void OnClientError(string client, Error error)
    {
        if (error.IsFatal)
        {
            LogClientError(_logger, client, error.Code, error.Reason, 0);
            _lifetime.StopApplication();
        }
        else if (_errorThrottle.ShouldLog(client, error.Code, out var suppressed))
        {
            LogClientError(_logger, client, error.Code, error.Reason, suppressed);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Pipeline consuming {Input} → {Output} (dead letters: {DeadLetter})")]
    private static partial void LogStarted(ILogger logger, string input, string output, string deadLetter);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partitions assigned: {Partitions}")]
    private static partial void LogAssigned(ILogger logger, List<TopicPartition> partitions);

    [LoggerMessage(Level = LogLevel.Information, Message = "Partitions revoked after draining: {Partitions}")]
    private static partial void LogRevoked(ILogger logger, List<TopicPartitionOffset> partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka {Client} error {Code}: {Reason} ({Suppressed} repeats left out since the last report; one report per 30 s)")]
    private static partial void LogClientError(ILogger logger, string client, ErrorCode code, string reason, int suppressed);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Consume error: {Reason}")]
    private static partial void LogConsumeError(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Processing {Source} failed; sent to the dead-letter topic")]
    private static partial void LogProcessingFailed(ILogger logger, TopicPartitionOffset source, Exception error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Delivery for {Partition} offset {Offset} failed ({Reason}); stopping so nothing is skipped")]
    private static partial void LogDeliveryFailed(ILogger logger, TopicPartition partition, long offset, Error reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "In-flight messages did not finish within {Seconds} s; they will be re-delivered")]
    private static partial void LogDrainTimeout(ILogger logger, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Delivery for {Partition} offset {Offset} failed ({Reason}) inside a transaction; it will be aborted and redone")]
    private static partial void LogTransactionalDeliveryFailed(ILogger logger, TopicPartition partition, long offset, Error reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transaction commit failed and was aborted: {Reason}")]
    private static partial void LogTransactionAborted(ILogger logger, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Transaction aborted: {Partitions} partitions rewound to their committed offsets")]
    private static partial void LogRewound(ILogger logger, int partitions);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Late update for {Input} not published: {Reason}")]
    private static partial void LogLateUpdateFailed(ILogger logger, TopicPartitionOffset input, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "librdkafka {Level} {Facility}: {Message}")]
    private static partial void LogLibrdkafka(ILogger logger, SyslogLevel level, string facility, string message);

    [LoggerMessage(Level = LogLevel.Critical, Message = "Preparing {Source} failed; stopping so nothing is skipped")]
    private static partial void LogPrepareFailed(ILogger logger, TopicPartitionOffset source, Exception error);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The consume loop failed")]
    private static partial void LogPipelineFailed(ILogger logger, Exception error);
}
