using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Where records go: straight to the idempotent producer (at-least-once), or into the open transaction through its
/// commit gate (exactly-once). Every part that publishes goes through here, so none of them branches on the mode.
/// </summary>
internal sealed class OutputProducer(IProducer<byte[]?, byte[]?> producer, TransactionalOutput? transactions)
{
    public IProducer<byte[]?, byte[]?> Producer => producer;

    /// <summary>Exactly-once mode: a record the broker refuses dooms the open transaction, and nothing more goes into it.</summary>
    public bool IsTransactional => transactions is not null;

    /// <summary>The warm path; false when the record must wait its turn in its lane instead.</summary>
    public bool TryProduceNow(OutgoingRecord record, Action<DeliveryReport<byte[]?, byte[]?>> onDelivery)
    {
        if (transactions is not null)
        {
            return false; // transactional produces go through the commit gate, which only asynchronous callers may wait on
        }

        try
        {
            producer.Produce(record.Topic, record.Message, onDelivery);
            return true;
        }
        catch (ProduceException<byte[]?, byte[]?> ex) when (ex.Error.Code == ErrorCode.Local_QueueFull)
        {
            return false;
        }
    }

    /// <summary>Produces one record, waiting while librdkafka's queue is full; <paramref name="source"/> is the input it answers, if any.</summary>
    public ValueTask ProduceAsync(TopicPartition? source, long offset, OutgoingRecord record, Action<DeliveryReport<byte[]?, byte[]?>> onDelivery,
        CancellationToken cancellationToken) =>
        transactions is not null
            ? new ValueTask(transactions.ProduceAsync(source, offset, record, onDelivery, cancellationToken))
            : producer.ProduceWhenQueuedAsync(record, onDelivery, cancellationToken);

    /// <summary>Produces a record that answers no input and returns once it is durable: delivered, and in exactly-once mode committed.</summary>
    public async Task<bool> ProduceDurablyAsync(OutgoingRecord record, CancellationToken cancellationToken)
    {
        var delivered = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnDelivery(DeliveryReport<byte[]?, byte[]?> report) => delivered.TrySetResult(!report.Error.IsError);
        if (transactions is null)
        {
            await producer.ProduceWhenQueuedAsync(record, OnDelivery, cancellationToken);
            return await delivered.Task.WaitAsync(cancellationToken);
        }

        var committed = await transactions.ProduceAsync(null, 0, record, OnDelivery, cancellationToken);
        return await delivered.Task.WaitAsync(cancellationToken) && await committed.WaitAsync(cancellationToken);
    }
}
