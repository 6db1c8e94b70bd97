using System.Diagnostics;
using System.Net;
using System.Text;
using CommunityToolkit.HighPerformance.Buffers;
using Confluent.Kafka;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Core.Telemetry;
using IpEnrich.Worker.Backlog;
using IpEnrich.Worker.Pipeline;
using Microsoft.Extensions.ObjectPool;
using OpenTelemetry;
using OpenTelemetry.Context.Propagation;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Builds the record to publish for one consumed message: the enriched alert under the input's key, timestamp and
/// headers, continuing its W3C trace; or the original bytes to the dead-letter topic with the reason. With an updates
/// topic, the alert waits in the backlog for each IP it goes out without, to get a late update.
/// </summary>
internal sealed class AlertRecordBuilder(AlertProcessor processor, KafkaOptions options, BacklogScheduler? waitForUpdates, ILogger logger)
{
    private readonly ObjectPool<AlertScratch> _scratch = new DefaultObjectPool<AlertScratch>(new DefaultPooledObjectPolicy<AlertScratch>(), 1024);

    public async ValueTask<OutgoingRecord> BuildAsync(ConsumeResult<byte[]?, byte[]?> source, CancellationToken cancellationToken)
    {
        // Without a listener (no trace exporter) there is no span, and the input's trace headers pass on unchanged.
        var parent = IpEnrichTelemetry.ActivitySource.HasListeners()
            ? Propagators.DefaultTextMapPropagator.Extract(default, source.Message.Headers, ReadHeader).ActivityContext
            : default;
        using var activity = IpEnrichTelemetry.ActivitySource.StartActivity(TraceNames.Enrich, ActivityKind.Consumer, parent);
        activity?.SetTag("messaging.destination.name", source.Topic);
        activity?.SetTag("messaging.kafka.partition", source.Partition.Value);
        activity?.SetTag("messaging.kafka.offset", source.Offset.Value);
        var scratch = _scratch.Get();
        // Sized for the alert plus a typical enrichment property, so the writer does not grow it per message.
        using var buffer = new ArrayPoolBufferWriter<byte>((source.Message.Value?.Length ?? 0) + 1024);
        try
        {
            var outcome = await processor.ProcessAsync(source.Message.Value ?? [], scratch, buffer, cancellationToken);
            if (outcome.Rejection is { } rejection)
            {
                return DeadLetter(source, rejection.Reason);
            }

            if (waitForUpdates is not null && Unanswered(scratch.Extraction, outcome.Results.Span) is { } unanswered)
            {
                var waiter = new AlertReference(source.Topic, source.Partition.Value, source.Offset.Value, source.Message.Key) { Triage = outcome.Triage };
                foreach (var ip in unanswered)
                {
                    await waitForUpdates.AddWaiterAsync(new LookupTarget(ip, processor.LookBackHours), scratch.Extraction.Priority, waiter);
                }
            }

            var message = new Message<byte[]?, byte[]?>
            {
                Key = source.Message.Key,
                Value = buffer.WrittenSpan.ToArray(),
                Timestamp = source.Message.Timestamp,
                Headers = AlertHeaders.WithStatus(source.Message.Headers, outcome.Status!.Value, outcome.Triage),
            };
            if (activity is not null)
            {
                Propagators.DefaultTextMapPropagator.Inject(new PropagationContext(activity.Context, Baggage.Current), message.Headers, WriteHeader);
            }

            return new OutgoingRecord(options.OutputTopic!, message);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A bug must not lose the alert: it goes to the dead-letter topic with the reason.
            PipelineLog.ProcessingFailed(logger, source.TopicPartitionOffset, ex);
            return DeadLetter(source, $"internal error: {ex.GetType().Name}");
        }
        finally
        {
            _scratch.Return(scratch);
        }
    }

    private OutgoingRecord DeadLetter(ConsumeResult<byte[]?, byte[]?> source, string reason) => new(options.DeadLetterTopic!, new Message<byte[]?, byte[]?>
    {
        Key = source.Message.Key,
        Value = source.Message.Value,
        Timestamp = source.Message.Timestamp,
        Headers = AlertHeaders.DeadLetter(source, reason),
    });

    /// <summary>The IPs published as deferred (whatever the reason: the backlog answers them all); null when there are none.</summary>
    private static List<IPAddress>? Unanswered(AlertExtraction extraction, ReadOnlySpan<IpLookupResult> results)
    {
        List<IPAddress>? pending = null;
        for (var i = 0; i < results.Length; i++)
        {
            if (results[i].Status == IpLookupStatus.Deferred)
            {
                (pending ??= []).Add(extraction.Candidates[i]); // made only now: most alerts have every answer
            }
        }

        return pending;
    }

    private static IEnumerable<string> ReadHeader(Headers? headers, string name) =>
        headers is not null && headers.TryGetLastBytes(name, out var value) ? [Encoding.ASCII.GetString(value)] : [];

    // The output's trace headers are this span's: the input's copies are replaced, not repeated.
    private static void WriteHeader(Headers headers, string name, string value)
    {
        headers.Remove(name);
        headers.Add(name, Encoding.ASCII.GetBytes(value));
    }
}
