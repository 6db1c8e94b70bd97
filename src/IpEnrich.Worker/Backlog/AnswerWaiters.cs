using System.Collections.Concurrent;
using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Caching;
using IpEnrich.Worker.Redis;
using StackExchange.Redis;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// The alerts of this process waiting (up to their MaxWait) for a wanted lookup: one shared task per lookup. Answers
/// found here complete it at once; answers found by another replica arrive as a notice on the profile's channel,
/// and are read from the cache it filled.
/// </summary>
internal sealed partial class AnswerWaiters(RedisConnection redis, IpCacheStore cache, TimeProvider time, ILogger logger)
{
    // Nobody waits longer than Enrichment:MaxWait (at most 5 minutes): an older waiter's alert is long gone.
    private static readonly TimeSpan Forgotten = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, Waiter> _waiting = new(StringComparer.Ordinal);
    private readonly RedisChannel _channel = RedisChannel.Literal($"ipenrich:v1:{{backlog:{cache.Profile}}}:answered");
    private Task? _subscribing;

    /// <summary>The shared wait for <paramref name="target"/>; <paramref name="tellStore"/> is false when an alert of this process already wants it at this priority or higher.</summary>
    public Task<IpLookupResult> WaitFor(LookupTarget target, AlertPriority priority, out bool tellStore)
    {
        var waiter = _waiting.GetOrAdd(target.Member, static (_, now) => new Waiter(now), time.GetTimestamp());
        tellStore = waiter.Raise(priority);
        return waiter.Answer.Task;
    }

    public void Complete(LookupTarget target, IpLookupResult answer)
    {
        if (_waiting.TryRemove(target.Member, out var waiter))
        {
            waiter.Answer.TrySetResult(answer);
        }
    }

    /// <summary>Tells the other replicas' waiters that the answer is in the cache.</summary>
    public async Task AnnounceAsync(LookupTarget target)
    {
        if (redis.Subscriber is not { } subscriber)
        {
            return;
        }

        try
        {
            await subscriber.PublishAsync(_channel, target.Member, CommandFlags.FireAndForget);
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogNoticeLost(logger, ex); // their alerts go out deferred and get the late update
        }
    }

    /// <summary>
    /// Subscribes once Redis is connected (the multiplexer subscribes again after a reconnect). Every caller waits for
    /// the one subscription: a want told to the store before this replica listens could be answered, and announced,
    /// by another replica unheard, leaving its alerts waiting out their MaxWait.
    /// </summary>
    public Task EnsureSubscribedAsync()
    {
        if (Volatile.Read(ref _subscribing) is { } current)
        {
            return current;
        }

        if (redis.Subscriber is not { } subscriber || !redis.IsConnected)
        {
            return Task.CompletedTask;
        }

        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _subscribing, mine.Task, null) is { } other)
        {
            return other;
        }

        _ = SubscribeAsync(subscriber, mine);
        return mine.Task;
    }

    private async Task SubscribeAsync(ISubscriber subscriber, TaskCompletionSource done)
    {
        try
        {
            await subscriber.SubscribeAsync(_channel, (channel, member) => _ = OnNoticeAsync(member));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Volatile.Write(ref _subscribing, null); // the next want or drain round tries again
            LogNoticeLost(logger, ex);
        }
        finally
        {
            done.TrySetResult();
        }
    }

    /// <summary>Ends the waits nobody can still be waiting for.</summary>
    public void Sweep()
    {
        foreach (var (member, waiter) in _waiting)
        {
            if (time.GetElapsedTime(waiter.Since) > Forgotten && _waiting.TryRemove(member, out var gone))
            {
                gone.Answer.TrySetResult(IpLookupResult.Deferred(DeferralReason.Timeout));
            }
        }
    }

    private async Task OnNoticeAsync(RedisValue member)
    {
        if (member.IsNullOrEmpty || !_waiting.ContainsKey(member!) || !LookupTarget.TryParse(member!, out var target))
        {
            return;
        }

        if (await cache.GetAsync(cache.Key(target.Ip, target.LookBackHours)) is { } answer && answer.IsFreshAt(time.GetUtcNow()))
        {
            Complete(target, answer.ToResult(LookupSource.Cache));
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Answer notice not sent or subscribed: waiting alerts get late updates instead")]
    private static partial void LogNoticeLost(ILogger logger, Exception error);

    private sealed class Waiter(long since)
    {
        private int _priority = -1;

        public long Since { get; } = since;

        /// <summary>Records a want at <paramref name="priority"/>; true when it is higher than any before.</summary>
        public bool Raise(AlertPriority priority)
        {
            int current;
            do
            {
                current = Volatile.Read(ref _priority);
                if ((int)priority <= current)
                {
                    return false;
                }
            }
            while (Interlocked.CompareExchange(ref _priority, (int)priority, current) != current);

            return true;
        }

        public TaskCompletionSource<IpLookupResult> Answer { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
