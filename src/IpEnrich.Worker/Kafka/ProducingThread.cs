using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// The one thread that hands the pipeline's records to librdkafka and serves the producer's delivery reports
/// (Confluent's background poll is off). librdkafka frees a message, and its header list, on the thread that serves
/// its report: made and freed on one thread, those blocks stay in that thread's allocator cache instead of crossing
/// threads, which cost more CPU per alert than the enrichment's lookups (docs/performance-profile.md). Records are produced
/// in the order they are handed over. A record that answers a consumed message keeps that message's place in its lane,
/// and its share of the in-flight budget, until librdkafka holds it. When the machine's cores are all busy (catching up on
/// a lag), this one thread gets only its share of them and falls behind the prepare loops: the consume thread then
/// waits at the queue's <see cref="FillLevel"/>, so records are produced young instead of the whole budget surviving
/// collections in the queue.
/// </summary>
internal sealed class ProducingThread : IDisposable
{
    // Reports are served between records at least this often, so librdkafka's queue drains while records keep coming.
    private const int ProducesPerPoll = 64;

    /// <summary>Records queued before the consume thread waits: a few milliseconds of work at full rate.</summary>
    public const int QueueHighMark = 512;

    // Reports of records produced within this window are due: the thread waits in librdkafka, which wakes it at the
    // first report, and a record handed over meanwhile waits at most ReportWait (well under the producer's linger).
    private const long ReportWindowMs = 1000;
    private static readonly TimeSpan ReportWait = TimeSpan.FromMilliseconds(1);

    // Idle: woken by the next record; reports that come late (a broker outage) and client errors are served this often.
    private static readonly TimeSpan IdleWait = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan QueueFullWait = TimeSpan.FromMilliseconds(5);

    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly Func<Handover, Error, Handover?> _replaceRefused;
    private readonly Action<Exception> _failed;
    private readonly ConcurrentQueue<Handover> _queue = new();
    private readonly FillLevel _queued;
    private readonly ManualResetEventSlim _wake = new();
    private readonly Thread _thread;
    private long _lastProducedAt = long.MinValue / 2;
    private int _idle;
    private volatile bool _discard;

    /// <param name="replaceRefused">
    /// A record librdkafka refuses before queueing it (larger than <c>message.max.bytes</c>) and the refusal: what to
    /// produce in its place, or null to report the refusal to the record's owner.
    /// </param>
    /// <param name="failed">Called when serving the producer throws: the pipeline cannot go on without this thread.</param>
    /// <param name="queueHighMark">Records queued before <see cref="WaitForRoom"/> waits.</param>
    public ProducingThread(IProducer<byte[]?, byte[]?> producer, Func<Handover, Error, Handover?> replaceRefused, Action<Exception> failed,
        int queueHighMark = QueueHighMark)
    {
        _queued = new FillLevel(queueHighMark);
        _producer = producer;
        _replaceRefused = replaceRefused;
        _failed = failed;
        _thread = new Thread(Run) { IsBackground = true, Name = "ipenrich-producing" };
        _thread.Start();
    }

    /// <summary>Hands a record over; its report comes later, on this thread.</summary>
    public void HandOver(Handover handover)
    {
        _queued.Add();
        _queue.Enqueue(handover);
        WakeIfIdle();
    }

    /// <summary>Consume thread, before it polls: waits up to <paramref name="timeout"/> while the queue is at its high mark.</summary>
    public bool WaitForRoom(TimeSpan timeout) => _queued.WaitForRoom(timeout);

    /// <summary>
    /// Consume thread (dedicated, so it may block): produces everything handed over before this call, then waits for
    /// librdkafka to deliver it; false when <paramref name="timeout"/> ran out first.
    /// </summary>
    public bool Flush(TimeSpan timeout)
    {
        var started = Stopwatch.GetTimestamp();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        HandOver(Handover.Flush(reached));
        return reached.Task.Wait(Remaining()) && _producer.Flush(Remaining()) == 0;

        TimeSpan Remaining() => TimeSpan.FromTicks(Math.Max(0, (timeout - Stopwatch.GetElapsedTime(started)).Ticks));
    }

    /// <summary>
    /// Stops the thread; records still queued are not produced (their messages are consumed again; a late update's
    /// sender waits for its own cancellation).
    /// </summary>
    public void Dispose()
    {
        _discard = true;
        _wake.Set();
        _thread.Join();
        while (_queue.TryDequeue(out var left))
        {
            left.Release();
        }

        _wake.Dispose();
        _queued.Dispose();
    }

    private void Run()
    {
        while (!_discard)
        {
            try
            {
                ProduceQueued();
                _producer.Poll(TimeSpan.Zero);
                WaitForWork();
            }
            catch (Exception ex)
            {
                _failed(ex); // the pipeline stops; this thread serves until it is disposed, for the stop's flush
                Thread.Sleep(IdleWait);
            }
        }
    }

    private void ProduceQueued()
    {
        for (var produced = 1; !_discard && _queue.TryDequeue(out var handover); produced++)
        {
            _queued.Remove();
            Produce(handover);
            if (produced % ProducesPerPoll == 0)
            {
                _producer.Poll(TimeSpan.Zero);
            }
        }
    }

    private void Produce(Handover handover)
    {
        if (handover.FlushMarker is { } flush)
        {
            flush.TrySetResult();
            return;
        }

        while (!handover.IsForRetiredLane && !_discard)
        {
            Error refusal;
            try
            {
                _producer.Produce(handover.Record.Topic, handover.Record.Message, handover.OnDelivery);
                _lastProducedAt = Environment.TickCount64;
                break;
            }
            catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
            {
                WaitForRoom(handover);
                continue;
            }
            catch (KafkaException ex)
            {
                refusal = ex.Error;
            }
            catch (Exception ex)
            {
                refusal = new Error(ErrorCode.Local_Fail, ex.Message);
            }

            if (_replaceRefused(handover, refusal) is { } replacement)
            {
                handover = replacement; // its dead letter, in its place: the partition's order holds
                continue;
            }

            handover.Release();
            handover.Refuse(refusal); // as a failed report: a message's owner stops the worker, a late update stays owed
            return;
        }

        handover.Release();
    }

    /// <summary>Serving reports is what makes room in librdkafka's queue.</summary>
    private void WaitForRoom(Handover waiting)
    {
        try
        {
            _producer.Poll(QueueFullWait);
        }
        catch
        {
            waiting.Release();
            throw;
        }
    }

    private void WaitForWork()
    {
        if (Environment.TickCount64 - _lastProducedAt < ReportWindowMs)
        {
            _producer.Poll(ReportWait);
            return;
        }

        // Whoever hands a record over after this thread said it is idle wakes it; the full fences order the flag
        // against the queue on both sides, so one of the two always sees the other.
        Interlocked.Exchange(ref _idle, 1);
        if (_queue.IsEmpty && !_discard)
        {
            _wake.Wait(IdleWait);
        }

        Interlocked.Exchange(ref _idle, 0);
        _wake.Reset();
    }

    private void WakeIfIdle()
    {
        Interlocked.MemoryBarrier();
        if (Volatile.Read(ref _idle) == 1)
        {
            _wake.Set();
        }
    }
}
