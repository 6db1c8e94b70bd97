using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Where records go: to the <see cref="ProducingThread"/> of the idempotent producer (at-least-once), or into the open
/// transaction through its commit gate (exactly-once). Every part that publishes goes through here, so none of them
/// branches on the mode; a record holding its lane's place gives it back here, once librdkafka holds the record.
/// </summary>
internal sealed class OutputProducer : IDisposable
{
    private readonly IProducer<byte[]?, byte[]?> _producer;
    private readonly TransactionalOutput? _transactions;
    private readonly ProducingThread? _thread;

    /// <param name="producer">Built with Confluent's background poll off unless <paramref name="transactions"/> is given.</param>
    /// <param name="replaceRefused">At-least-once: what goes in place of a record librdkafka refuses (<see cref="ProducingThread"/>).</param>
    /// <param name="failed">Called when the producing thread cannot go on.</param>
    public OutputProducer(IProducer<byte[]?, byte[]?> producer, TransactionalOutput? transactions, Func<Handover, Error, Handover?> replaceRefused,
        Action<Exception> failed)
    {
        _producer = producer;
        _transactions = transactions;
        _thread = transactions is null ? new ProducingThread(producer, replaceRefused, failed) : null;
    }

    /// <summary>Exactly-once mode: a record the broker refuses dooms the open transaction, and nothing more goes into it.</summary>
    public bool IsTransactional => _transactions is not null;

    /// <summary>The warm path; false when the record must wait its turn in its lane instead.</summary>
    public bool TryHandOver(Handover handover)
    {
        if (_thread is null)
        {
            return false; // transactional produces go through the commit gate, which only asynchronous callers may wait on
        }

        _thread.HandOver(handover);
        return true;
    }

    /// <summary>Hands one record over, in exactly-once mode waiting for the commit gate; <paramref name="source"/> is the input it answers, if any.</summary>
    public async ValueTask ProduceAsync(TopicPartition? source, long offset, Handover handover, CancellationToken cancellationToken)
    {
        if (TryHandOver(handover))
        {
            return;
        }

        await _transactions!.ProduceAsync(source, offset, handover.Record, handover.OnDelivery, cancellationToken);
        handover.Release();
    }

    /// <summary>Produces a record that answers no input and returns once it is durable: delivered, and in exactly-once mode committed.</summary>
    public async Task<bool> ProduceDurablyAsync(OutgoingRecord record, CancellationToken cancellationToken)
    {
        var delivered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnDelivery(DeliveryReport<byte[]?, byte[]?> report) => delivered.TrySetResult(!report.Error.IsError);
        if (TryHandOver(new Handover(record, OnDelivery)))
        {
            return await delivered.Task.WaitAsync(cancellationToken);
        }

        var committed = await _transactions!.ProduceAsync(null, 0, record, OnDelivery, cancellationToken);
        return await delivered.Task.WaitAsync(cancellationToken) && await committed.WaitAsync(cancellationToken);
    }

    /// <summary>
    /// Consume thread, before it polls: waits up to <paramref name="timeout"/> while the producing thread is that far
    /// behind; false when it still is. Exactly-once records wait at the commit gate instead.
    /// </summary>
    public bool WaitForRoom(TimeSpan timeout) => _thread?.WaitForRoom(timeout) ?? true;

    /// <summary>Consume thread, at-least-once mode: everything handed over so far is produced and delivered, or <paramref name="timeout"/> ran out.</summary>
    public void Flush(TimeSpan timeout)
    {
        if (_thread is not null)
        {
            _thread.Flush(timeout);
        }
        else
        {
            _producer.Flush(timeout);
        }
    }

    public void Dispose() => _thread?.Dispose();
}
