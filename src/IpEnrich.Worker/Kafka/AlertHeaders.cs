using System.Globalization;
using System.Text;
using Confluent.Kafka;

namespace IpEnrich.Worker.Kafka;

/// <summary>The headers of the output contract (DESIGN §3).</summary>
public static class AlertHeaders
{
    public const string Status = "ipenrich-status";
    public const string Error = "ipenrich-error";
    public const string SourceTopic = "ipenrich-source-topic";
    public const string SourcePartition = "ipenrich-source-partition";
    public const string SourceOffset = "ipenrich-source-offset";

    /// <summary>The input's headers (minus any earlier ipenrich ones) plus the given ones.</summary>
    public static Headers CopyWith(Headers? input, params (string Key, string Value)[] added)
    {
        var headers = new Headers();
        if (input is not null)
        {
            foreach (var header in input)
            {
                if (!header.Key.StartsWith("ipenrich-", StringComparison.Ordinal))
                {
                    headers.Add(header.Key, header.GetValueBytes());
                }
            }
        }

        foreach (var (key, value) in added)
        {
            headers.Add(key, Encoding.UTF8.GetBytes(value));
        }

        return headers;
    }

    public static Headers DeadLetter(ConsumeResult<byte[]?, byte[]?> source, string reason) =>
        CopyWith(source.Message.Headers,
            (Error, reason),
            (SourceTopic, source.Topic),
            (SourcePartition, source.Partition.Value.ToString(CultureInfo.InvariantCulture)),
            (SourceOffset, source.Offset.Value.ToString(CultureInfo.InvariantCulture)));
}
