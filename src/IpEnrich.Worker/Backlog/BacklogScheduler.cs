using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Auth;
using IpEnrich.Defender.Client;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Lookup;
using IpEnrich.Worker.Pipeline;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Redis;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// One queue decides every API call (docs/architecture.md §4): each cache miss is a wanted lookup, valued by the
/// priority of its most urgent alert, then how many alerts want it, then age. Alerts wait for it up to their MaxWait;
/// the drain answers the most valuable first whenever the shared quota has a slot, and every alert that went out
/// without the answer gets a late update. Shared through Redis by every replica when configured.
/// </summary>
public sealed partial class BacklogScheduler : IAsyncDisposable
{
    private static readonly TimeSpan SnapshotInterval = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DropLogInterval = TimeSpan.FromMinutes(1);

    private readonly IBacklogStore _store;
    private readonly AnswerWaiters _answers;
    private readonly BacklogPacing _pacing;
    private readonly BacklogDrain _drain;
    private readonly AnswerDelivery _delivery;
    private readonly BulkDrain? _bulk;
    private readonly TimeProvider _time;
    private readonly IpEnrichTelemetry _telemetry;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationTokenSource _claiming;
    private readonly bool _shared;
    private readonly Lock _startLock = new();
    private Task? _running;
    private long _dropped;
    private long _droppedLogged;
    private long _droppedLoggedAt;

    public BacklogScheduler(IOptions<BacklogOptions> options, IOptions<EnrichmentOptions> enrichment, RedisConnection redis, RedisHealth health,
        IOptions<RedisOptions> redisOptions, IpCacheStore cache, IQuotaGate quota, IDefenderClient client, IAccessTokenSource tokens, TimeProvider time, IpEnrichTelemetry telemetry, ILoggerFactory loggers,
        BulkSource? bulk = null, IOptions<TriageOptions>? triage = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(enrichment);
        ArgumentNullException.ThrowIfNull(loggers);
        ArgumentNullException.ThrowIfNull(redisOptions);
        var settings = options.Value;
        _time = time;
        _telemetry = telemetry;
        _logger = loggers.CreateLogger<BacklogScheduler>();
        _claiming = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _shared = settings.Shared && redis.IsConfigured;
        var local = new MemoryBacklogStore(settings, time);
        _store = _shared
            ? new FallbackBacklogStore(new RedisBacklogStore(() => redis.Database, cache.Profile, settings), local, health, redisOptions.Value.AlertPathTimeout, _logger)
            : local;
        _answers = new AnswerWaiters(redis, cache, time, _logger);
        _pacing = new BacklogPacing(time);
        LookupMetrics = new LookupMetrics(telemetry, quota, redis, cache, triage?.Value.ToRules());
        _delivery = new AnswerDelivery(_store, _answers, !string.IsNullOrEmpty(enrichment.Value.UpdatesTopic), CountUpdates, _logger);
        _drain = new BacklogDrain(_store, quota, client, tokens, cache, _answers, _delivery, _pacing, settings, time, LookupMetrics, _logger);
        _bulk = bulk is { Enabled: true }
            ? new BulkDrain(_store, bulk.Quota, bulk.Hunting, bulk.Tokens, cache, _delivery, bulk.Options, settings, time, LookupMetrics, _logger)
            : null;
        Metrics = new BacklogMetrics(telemetry, time);
    }

    internal BacklogMetrics Metrics { get; }

    /// <summary>The lookup path's counters and gauges, created once for both the lookups and the drain.</summary>
    internal LookupMetrics LookupMetrics { get; }

    /// <summary>Lookups this replica's drain has taken and not yet settled: an answered one leaves the backlog only after its waiters have it.</summary>
    internal int LookupsInFlight => _drain.InFlight;

    /// <summary>The backlog as last read (every few seconds).</summary>
    public BacklogSnapshot Snapshot => Metrics.Snapshot;

    /// <summary>Wanted lookups dropped by this replica for the bounds (<c>Backlog:MaxIps</c>, <c>Backlog:MaxAge</c>).</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Where late updates go; none until the pipeline produces (their lookups wait, answered and cached).</summary>
    public void AttachSink(ILateUpdateSink? sink) => _delivery.Sink = sink;

    /// <summary>
    /// One alert at <paramref name="priority"/> wants <paramref name="targets"/> (cache misses): returns, per target, the
    /// answer when some replica finds it. The waits are shared by every alert of this process that wants the same lookup;
    /// a lookup's count of waiting alerts counts such a group once.
    /// </summary>
    public async Task<Task<IpLookupResult>[]> WantAsync(IReadOnlyList<LookupTarget> targets, AlertPriority priority)
    {
        ArgumentNullException.ThrowIfNull(targets);
        EnsureStarted();
        await _answers.EnsureSubscribedAsync(); // listening before the store hears of the want: its answer may come from another replica
        var waits = new Task<IpLookupResult>[targets.Count];
        List<LookupTarget>? news = null;
        for (var i = 0; i < targets.Count; i++)
        {
            waits[i] = _answers.WaitFor(targets[i], priority, out var tellStore);
            if (tellStore)
            {
                (news ??= []).Add(targets[i]);
            }
        }

        // Alerts of this process that want a lookup while one already waits for it count once: the shared store
        // hears of a lookup once per wait and replica (and again for a higher priority), not once per alert.
        if (news is not null)
        {
            CountDropped(await _store.WantAsync(news, priority));
            _drain.Wake();
        }

        return waits;
    }

    /// <summary>An alert went out without the answer for <paramref name="target"/>: it gets a late update once there is one.</summary>
    public async Task AddWaiterAsync(LookupTarget target, AlertPriority priority, AlertReference waiter)
    {
        EnsureStarted();
        CountDropped(await _store.AddWaiterAsync(target, priority, waiter));
        _drain.Wake();
    }

    /// <summary>True when no quota slot for <paramref name="priority"/> can come within <paramref name="wait"/>.</summary>
    public bool BlockedBeyond(AlertPriority priority, TimeSpan wait) => _pacing.BlockedBeyond(priority, wait);

    /// <summary>Cancelled at the next quota refusal or API failure (see <see cref="BlockedBeyond"/>).</summary>
    public CancellationToken NextBlock => _pacing.NextBlock;

    /// <summary>The deferral reason of a lookup still waiting now: <c>quota</c>, <c>outage</c> or <c>timeout</c>.</summary>
    public string ReasonNow(AlertPriority priority) => _pacing.ReasonNow(priority);

    /// <summary>Starts the drain (idempotent): at host start, so a restarted replica drains what was wanted before, or at the first want.</summary>
    public void EnsureStarted()
    {
        if (Volatile.Read(ref _running) is not null)
        {
            return;
        }

        lock (_startLock)
        {
            _running ??= Task.WhenAll(_drain.RunAsync(_claiming.Token, _stopping.Token), _bulk?.RunAsync(_claiming.Token, _stopping.Token) ?? Task.CompletedTask,
                Task.Run(() => ObserveAsync(_stopping.Token), CancellationToken.None));
        }
    }

    /// <summary>
    /// At the pipeline's stop, while it can still publish: settles the lookups this replica holds, and without Redis
    /// (where nobody else could) keeps draining while the budget allows, within <paramref name="timeout"/>. Then takes no more.
    /// </summary>
    public async Task StopClaimingAsync(TimeSpan timeout)
    {
        var deadline = _time.GetTimestamp() + (long)(timeout.TotalSeconds * _time.TimestampFrequency);
        while (_time.GetTimestamp() < deadline && (_drain.InFlight > 0 || (!_shared && await KeepsLocalWorkAsync())))
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), _time, CancellationToken.None);
        }

        await _claiming.CancelAsync();
        if (!_shared && (await _store.SnapshotAsync()).Total is > 0 and var left)
        {
            LogLocalBacklogLost(_logger, left);
        }
    }

    private async Task<bool> KeepsLocalWorkAsync() =>
        (await _store.SnapshotAsync()).Total > 0 && !_pacing.BlockedBeyond(AlertPriority.Critical, TimeSpan.Zero) && _pacing.OutageLeft is null;

    public async ValueTask DisposeAsync()
    {
        await _claiming.CancelAsync();
        await _stopping.CancelAsync();
        if (_running is { } running)
        {
            await running.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        // The token sources stay undisposed: the pipeline's stop (StopClaimingAsync, on its own thread) may still cancel
        // them after the host disposed this; they hold no timer, and _claiming is linked only to _stopping.
        _drain.Dispose();
    }

    /// <summary>Every few seconds: the backlog's size for the gauges and readiness, forgotten waits swept, drops logged.</summary>
    private async Task ObserveAsync(CancellationToken stopping)
    {
        _droppedLoggedAt = _time.GetTimestamp();
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                Metrics.Snapshot = await _store.SnapshotAsync();
                _answers.Sweep();
                LogDropsOncePerMinute();
                await Task.Delay(SnapshotInterval, _time, stopping);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is StackExchange.Redis.RedisException or TimeoutException)
            {
                await Task.Delay(SnapshotInterval, _time, CancellationToken.None);
            }
        }
    }

    private void CountDropped(int dropped)
    {
        if (dropped > 0)
        {
            Interlocked.Add(ref _dropped, dropped);
            _telemetry.BacklogDropped.Add(dropped);
        }
    }

    private void LogDropsOncePerMinute()
    {
        var dropped = Dropped;
        if (dropped > _droppedLogged && _time.GetElapsedTime(_droppedLoggedAt) >= DropLogInterval)
        {
            LogDropped(_logger, dropped - _droppedLogged, Snapshot.Total);
            _droppedLogged = dropped;
            _droppedLoggedAt = _time.GetTimestamp();
        }
    }

    private void CountUpdates(string outcome, long count) =>
        _telemetry.Updates.Add(count, new KeyValuePair<string, object?>(TagNames.Outcome, outcome));

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stopping without Redis: {Count} wanted lookups kept only in this process are dropped")]
    private static partial void LogLocalBacklogLost(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Backlog full or too old: {Dropped} wanted lookups dropped in the last minute ({Size} waiting); raise Backlog:MaxIps or the API budget")]
    private static partial void LogDropped(ILogger logger, long dropped, long size);
}
