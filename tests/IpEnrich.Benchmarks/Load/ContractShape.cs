using CommunityToolkit.HighPerformance.Buffers;
using Confluent.Kafka;
using IpEnrich.Core.Annotation;
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
        var extractor = new AlertExtractor(new ExtractionOptions());
        var annotator = new AlertAnnotator(triage: triage);
        var answers = Enumerable.Repeat(IpLookupResult.NotSeen(LookupSource.Cache, DateTimeOffset.UtcNow), 8).ToArray();
        var extraction = new AlertExtraction();
        using var output = new ArrayPoolBufferWriter<byte>();
        var tails = new byte[4][];
        foreach (var message in AlertStream.Build(LoadOptions.Parse([]), 256).Messages)
        {
            var alert = message.Value;
            if (!extractor.TryExtract(alert, extraction, out var rejection))
            {
                throw new InvalidOperationException($"contract shape: a load alert was rejected: {rejection.Reason}");
            }

            if (extraction.Count is < 1 or > 4 || tails[extraction.Count - 1] is not null)
            {
                continue;
            }

            output.Clear();
            annotator.Annotate(alert, extraction, answers.AsSpan(0, extraction.Candidates.Count), 720, DateTimeOffset.UtcNow, output);
            var written = output.WrittenSpan;
            if (alert[^1] != (byte)'}' || !written.StartsWith(alert.AsSpan(0, alert.Length - 1)))
            {
                throw new InvalidOperationException("contract shape: the enrichment was not written before the alert's closing brace");
            }

            tails[extraction.Count - 1] = written[(alert.Length - 1)..].ToArray();
        }

        return tails.Any(t => t is null)
            ? throw new InvalidOperationException("contract shape: the load stream's first alerts lack one of 1–4 addresses")
            : new ContractShape(tails, AlertTriage.Of(answers.AsSpan(0, 1), triage));
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
