using System.Globalization;
using Confluent.Kafka;
using IpEnrich.Core.Telemetry;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// What goes out instead of a record that Kafka refuses for good (too large for the producer or the topic, or
/// malformed): a bounded dead letter, so the partition moves on and the offset can be committed. It keeps the first
/// <see cref="KafkaOptions.DeadLetterMaxBytes"/> bytes of the input, and headers with the reason, the source position,
/// the original size and <c>ipenrich-truncated</c>; when even that is refused, the value is dropped entirely.
/// </summary>
internal sealed class UnpublishableRecords(KafkaOptions options, IpEnrichTelemetry telemetry)
{
    // Exactly-once mode: inputs whose record the broker refused inside a transaction, until their replay. An entry
    // outlives its replay only when the partition moved to another worker; the bound keeps such leftovers finite.
    private const int MaxRefused = 10_000;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<TopicPartitionOffset, (Error Error, int Attempt)> _refused = new();

    /// <summary>True for errors that no retry can cure: the same record would be refused again.</summary>
    public static bool IsPermanent(Error error) =>
        error.Code is ErrorCode.MsgSizeTooLarge or ErrorCode.InvalidMsgSize or ErrorCode.RecordListTooLarge or ErrorCode.InvalidRecord
            or ErrorCode.InvalidMsg or ErrorCode.Local_BadMsg;

    /// <summary>
    /// Exactly-once mode: the broker refused <paramref name="source"/>'s record for good, so its transaction aborts; the
    /// replay is to publish dead letter <paramref name="attempt"/> instead of the same record, refused again for ever.
    /// </summary>
    public void RefusedInTransaction(TopicPartitionOffset source, Error error, int attempt)
    {
        if (_refused.Count >= MaxRefused)
        {
            _refused.Clear();
        }

        _refused[source] = (error, attempt);
    }

    /// <summary>True, once, when <paramref name="source"/> is the replay of an input whose record the broker refused.</summary>
    public bool TryTakeRefused(TopicPartitionOffset source, out Error error, out int attempt)
    {
        var found = _refused.TryRemove(source, out var refused);
        (error, attempt) = refused;
        return found;
    }

    /// <summary>The bounded dead letter for <paramref name="source"/>; <paramref name="attempt"/> 1 keeps a prefix, 2 and later none.</summary>
    public OutgoingRecord DeadLetter(ConsumeResult<byte[]?, byte[]?> source, Error error, int attempt)
    {
        var value = source.Message.Value;
        var kept = attempt > 1 || value is null ? 0 : Math.Min(value.Length, options.DeadLetterMaxBytes);
        telemetry.Unpublishable.Add(1, new KeyValuePair<string, object?>(TagNames.Reason, error.Code.ToString()));
        var headers = AlertHeaders.DeadLetter(source, $"output refused by Kafka ({error.Reason}); value truncated to {kept} bytes");
        headers.Add(AlertHeaders.OriginalSize, System.Text.Encoding.ASCII.GetBytes((value?.Length ?? 0).ToString(CultureInfo.InvariantCulture)));
        headers.Add(AlertHeaders.Truncated, "true"u8.ToArray());
        return new OutgoingRecord(options.DeadLetterTopic!, new Message<byte[]?, byte[]?>
        {
            Key = source.Message.Key,
            Value = value is null ? null : value.AsSpan(0, kept).ToArray(),
            Timestamp = source.Message.Timestamp,
            Headers = headers,
        });
    }
}
