using Confluent.Kafka;
using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Backlog;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Late updates to <c>Enrichment:UpdatesTopic</c> (<see cref="LateUpdateRecord"/>), keyed like the alert they point at.
/// Each is awaited until durable, so the backlog forgets a waiter only once its update is safe.
/// </summary>
/// <param name="triage">The triage rules: each update carries its IP's signals and the alert's recomputed triage.</param>
internal sealed class KafkaLateUpdateSink(string topic, OutputProducer output, TimeProvider time, TriageRules? triage = null) : ILateUpdateSink
{
    private long _published;

    /// <summary>Late-update records delivered (committed, in exactly-once mode).</summary>
    public long Published => Interlocked.Read(ref _published);

    public async Task PublishAsync(IReadOnlyList<AlertReference> waiters, LookupTarget target, IpLookupResult answer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(waiters);
        var deliveries = new Task<bool>[waiters.Count];
        var now = time.GetUtcNow();
        for (var i = 0; i < waiters.Count; i++)
        {
            var waiter = waiters[i];
            var input = new TopicPartitionOffset(waiter.Topic, waiter.Partition, waiter.Offset);
            var alertTriage = triage is null ? default : waiter.Triage.With(answer, triage);
            var message = new Message<byte[]?, byte[]?>
            {
                Key = waiter.Key,
                Value = LateUpdateRecord.Serialize(input, waiter.Key, target.LookBackHours, now, [target.Ip], [answer], triage, alertTriage),
                Headers = AlertHeaders.CopyWith(null, (AlertHeaders.Status, "update")),
            };
            AlertHeaders.AddTriage(message.Headers, alertTriage);
            deliveries[i] = output.ProduceDurablyAsync(new OutgoingRecord(topic, message), cancellationToken);
        }

        var delivered = await Task.WhenAll(deliveries);
        var failed = delivered.Count(ok => !ok);
        Interlocked.Add(ref _published, delivered.Length - failed);
        if (failed > 0)
        {
            throw new KafkaException(new Error(ErrorCode.Local_Fail, $"{failed} of {delivered.Length} late updates for {target.Ip} not delivered; kept for the next try"));
        }
    }
}
