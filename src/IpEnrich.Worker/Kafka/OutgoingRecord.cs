using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>What to publish for one input: the enriched alert, its dead letter, or a late update.</summary>
internal readonly record struct OutgoingRecord(string Topic, Message<byte[]?, byte[]?> Message);
