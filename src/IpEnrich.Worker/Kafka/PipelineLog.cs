using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>Every log line of the Kafka pipeline. Event ids are stable (10xx), so alerts can be written on them.</summary>
internal static partial class PipelineLog
{
    [LoggerMessage(1001, LogLevel.Information, "Pipeline consuming {Input} → {Output} (dead letters: {DeadLetter})")]
    public static partial void Started(ILogger logger, string input, string output, string deadLetter);

    [LoggerMessage(1002, LogLevel.Information, "Partitions assigned: {Partitions}")]
    public static partial void Assigned(ILogger logger, List<TopicPartition> partitions);

    [LoggerMessage(1003, LogLevel.Information, "Partitions revoked after draining: {Partitions}")]
    public static partial void Revoked(ILogger logger, List<TopicPartitionOffset> partitions);

    [LoggerMessage(1004, LogLevel.Warning, "Partitions lost: {Partitions}; their in-flight messages will be consumed again by the next owner")]
    public static partial void Lost(ILogger logger, List<TopicPartitionOffset> partitions);

    [LoggerMessage(1005, LogLevel.Warning, "In-flight messages did not finish within {Seconds} s; they will be re-delivered")]
    public static partial void DrainTimeout(ILogger logger, double seconds);

    [LoggerMessage(1010, LogLevel.Warning, "Kafka {Client} error {Code}: {Reason} ({Suppressed} repeats left out since the last report; one report per 30 s)")]
    public static partial void ClientError(ILogger logger, string client, ErrorCode code, string reason, int suppressed);

    [LoggerMessage(1011, LogLevel.Warning, "Consume error: {Reason}")]
    public static partial void ConsumeError(ILogger logger, string reason);

    [LoggerMessage(1012, LogLevel.Warning, "librdkafka statistics could not be read ({Reason}); ipenrich.consumer.lag stays unknown until one can (logged once)")]
    public static partial void StatisticsUnreadable(ILogger logger, string reason);

    [LoggerMessage(1013, LogLevel.Debug, "librdkafka {Level} {Facility}: {Message}")]
    public static partial void Librdkafka(ILogger logger, SyslogLevel level, string facility, string message);

    [LoggerMessage(1020, LogLevel.Error, "Processing {Source} failed; sent to the dead-letter topic")]
    public static partial void ProcessingFailed(ILogger logger, TopicPartitionOffset source, Exception error);

    [LoggerMessage(1021, LogLevel.Critical, "Preparing {Source} failed; stopping so nothing is skipped")]
    public static partial void PrepareFailed(ILogger logger, TopicPartitionOffset source, Exception error);

    [LoggerMessage(1023, LogLevel.Warning, "Output for {Source} refused by Kafka for good ({Reason}); a bounded dead letter goes instead")]
    public static partial void Unpublishable(ILogger logger, TopicPartitionOffset source, string reason);

    [LoggerMessage(1024, LogLevel.Critical, "Producing the output for {Source} failed; stopping so nothing is skipped")]
    public static partial void ProduceFailed(ILogger logger, TopicPartitionOffset? source, Exception error);

    [LoggerMessage(1049, LogLevel.Critical, "Serving the producer's delivery reports failed; stopping so nothing is skipped")]
    public static partial void ProducingFailed(ILogger logger, Exception error);

    [LoggerMessage(1022, LogLevel.Critical, "The consume loop failed")]
    public static partial void PipelineFailed(ILogger logger, Exception error);

    [LoggerMessage(1030, LogLevel.Critical, "Delivery for {Partition} offset {Offset} failed ({Reason}); stopping so nothing is skipped")]
    public static partial void DeliveryFailed(ILogger logger, TopicPartition partition, long offset, Error reason);

    [LoggerMessage(1031, LogLevel.Information, "Output for {Source} acknowledged implicitly: librdkafka reported it delivered without an offset, after a later batch of its partition succeeded")]
    public static partial void ImplicitlyAcknowledged(ILogger logger, TopicPartitionOffset source);

    [LoggerMessage(1040, LogLevel.Warning, "{Failed} deliveries failed inside a transaction, the first for {Partition} offset {Offset} ({Reason}); it will be aborted and redone")]
    public static partial void TransactionalDeliveryFailed(ILogger logger, int failed, TopicPartition partition, long offset, Error reason);

    [LoggerMessage(1041, LogLevel.Warning, "Transaction commit failed and was aborted: {Reason}")]
    public static partial void TransactionAborted(ILogger logger, string? reason);

    [LoggerMessage(1042, LogLevel.Warning, "Transaction aborted: {Partitions} partitions rewound to their committed offsets")]
    public static partial void Rewound(ILogger logger, int partitions);

    [LoggerMessage(1043, LogLevel.Warning, "Transaction commit postponed: lanes were still producing after {Milliseconds} ms (broker slow or down); polling goes on")]
    public static partial void CommitPostponed(ILogger logger, double milliseconds);

    [LoggerMessage(1044, LogLevel.Warning, "Producers still inside the commit gate after {Milliseconds} ms; aborting anyway")]
    public static partial void AbortWithoutGate(ILogger logger, double milliseconds);

    [LoggerMessage(1046, LogLevel.Information, "Stopping: finishing in-flight messages and the late updates of held lookups (up to {Seconds} s), then committing and leaving the group")]
    public static partial void Stopping(ILogger logger, double seconds);

    [LoggerMessage(1047, LogLevel.Information, "Stopped: drained, committed and left the group in {Seconds:F1} s")]
    public static partial void Stopped(ILogger logger, double seconds);

    [LoggerMessage(1050, LogLevel.Warning, "Stopped: drained and committed in {Seconds:F1} s, but leaving the consumer group did not finish within {Limit} s (librdkafka's close); the group moves this replica's partitions after session.timeout.ms")]
    public static partial void StoppedWithoutLeaving(ILogger logger, double seconds, double limit);

    [LoggerMessage(1048, LogLevel.Warning, "Graceful stop still {Step} after {Seconds:F0} s")]
    public static partial void StopStillRunning(ILogger logger, string step, double seconds);

    [LoggerMessage(1045, LogLevel.Warning, "Disposed without a stop, the consume loop had not finished its graceful stop after {Seconds} s; its Kafka clients close when it does")]
    public static partial void StillStoppingAtDisposal(ILogger logger, double seconds);
}
