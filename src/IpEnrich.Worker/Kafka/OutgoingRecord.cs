using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>What to publish for one input: the enriched alert, its dead letter, or a late update.</summary>
internal sealed record OutgoingRecord(string Topic, Message<byte[]?, byte[]?> Message);
