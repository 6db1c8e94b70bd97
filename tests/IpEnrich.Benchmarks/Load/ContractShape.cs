using Confluent.Kafka;
using IpEnrich.Benchmarks.Core;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Worker.Kafka;
using IpEnrich.Worker.Pipeline;

namespace IpEnrich.Benchmarks.Load;

/// <summary>
/// The output contract without the enrichment: each alert leaves as a new value of the enriched size (its bytes, then an
/// enrichment object the real annotator wrote for a load alert naming as many addresses) with the contract's headers,
/// and nothing is read. A copy that sends this costs what the contract costs the Kafka clients, so the worker's CPU
/// over it is what enrichment itself costs.
/// </summary>
internal sealed class ContractShape
{
    private readonly byte[][] _tails;
    private readonly AlertTriage _triage;
    private long _sent;

    private ContractShape(byte[][] tails, AlertTriage triage) => (_tails, _triage) = (tails, triage);

    /// <summary>
    /// Tails for alerts of the load stream naming one to four addresses, answered as its warm worker answers them (not
    /// seen, from the cache, triage on): the stream draws those counts evenly, so taking them in turn keeps its mix.
    /// </summary>
    public static ContractShape Create()
    {
        var triage = new TriageOptions().ToRules();
        var answer = IpLookupResult.NotSeen(LookupSource.Cache, DateTimeOffset.UtcNow);
        var work = new ExtractAnnotateWork(triage, new ExtractionOptions(), answer);
        var tails = new byte[4][];
        foreach (var message in AlertStream.Build(LoadOptions.Parse([]), 256).Messages)
        {
            var alert = message.Value;
            if (work.ExtractAndAnnotate(alert) == 0)
            {
                throw new InvalidOperationException($"contract shape: a load alert was rejected: {work.Rejection}");
            }

            if (work.Found is < 1 or > 4 || tails[work.Found - 1] is not null)
            {
                continue;
            }

            if (alert[^1] != (byte)'}' || !work.Output.StartsWith(alert.AsSpan(0, alert.Length - 1)))
            {
                throw new InvalidOperationException("contract shape: the enrichment was not written before the alert's closing brace");
            }

            tails[work.Found - 1] = work.Output[(alert.Length - 1)..].ToArray();
        }

        return tails.Any(t => t is null)
            ? throw new InvalidOperationException("contract shape: the load stream's first alerts lack one of 1–4 addresses")
            : new ContractShape(tails, AlertTriage.Of([answer], triage));
    }

    /// <summary>The record the worker would publish for <paramref name="input"/>, built as the worker builds it.</summary>
    public Message<byte[]?, byte[]?> Shape(Message<byte[]?, byte[]?> input)
    {
        var tail = _tails[_sent++ % _tails.Length];
        var alert = input.Value ?? [];
        var value = new byte[alert.Length - 1 + tail.Length];
        alert.AsSpan(0, alert.Length - 1).CopyTo(value);
        tail.CopyTo(value.AsSpan(alert.Length - 1));
        return new Message<byte[]?, byte[]?>
        {
            Key = input.Key,
            Value = value,
            Timestamp = input.Timestamp,
            Headers = AlertHeaders.WithStatus(input.Headers, AlertEnrichmentStatus.Complete, _triage),
        };
    }
}
