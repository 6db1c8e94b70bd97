using System.Buffers;
using System.Text.Json;
using IpEnrich.Core.Annotation;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Benchmarks.Core;

/// <summary>
/// The per-message work the benchmarks measure, single thread, as the pipeline does it: validate and extract, fill one
/// result per candidate, write the output into a pooled buffer; and the floor under it, the JSON reader alone.
/// </summary>
internal sealed class ExtractAnnotateWork
{
    private static readonly IpLookupResult Answer = IpLookupResult.Found(
        new IpStats(42, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), LookupSource.Cache, DateTimeOffset.UnixEpoch);

    private readonly AlertExtractor _extractor;
    private readonly AlertAnnotator _annotator;
    private readonly AlertExtraction _extraction = new();
    // Reset without zeroing: the worker writes into a buffer rented from the shared pool, which is never cleared.
    private readonly ArrayBufferWriter<byte> _output = new(4096);
    private readonly IpLookupResult[] _results = new IpLookupResult[1024];

    /// <param name="triage">With the triage signals (the worker's default) or without.</param>
    public ExtractAnnotateWork(bool triage)
        : this(triage, new ExtractionOptions())
    {
    }

    /// <param name="triage">With the triage signals (the worker's default) or without.</param>
    /// <param name="extraction">The extraction options, to measure what a setting costs.</param>
    public ExtractAnnotateWork(bool triage, ExtractionOptions extraction)
        : this(triage ? new TriageRules(3, 50, TimeSpan.FromHours(24)) : null, extraction, Answer)
    {
    }

    /// <param name="triage">The triage rules, or null for none.</param>
    /// <param name="extraction">The extraction options.</param>
    /// <param name="answer">The answer every candidate address gets.</param>
    public ExtractAnnotateWork(TriageRules? triage, ExtractionOptions extraction, IpLookupResult answer)
    {
        _extractor = new AlertExtractor(extraction);
        _annotator = new AlertAnnotator(triage: triage);
        Array.Fill(_results, answer);
    }

    /// <summary>The addresses listed by the last extraction.</summary>
    public int Found => _extraction.Count;

    /// <summary>Why <see cref="ExtractAndAnnotate"/> last rejected an alert; null until it has.</summary>
    public string? Rejection { get; private set; }

    /// <summary>What the last <see cref="ExtractAndAnnotate"/> wrote.</summary>
    public ReadOnlySpan<byte> Output => _output.WrittenSpan;

    /// <summary>Every token of the alert read and validated by <see cref="Utf8JsonReader"/>, nothing else done.</summary>
    public static int ReadOnly(byte[] alert)
    {
        var reader = new Utf8JsonReader(alert, new JsonReaderOptions { MaxDepth = 64 });
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    /// <summary>Every token of the alert read and validated by the extractor's <see cref="JsonTokenReader"/>, nothing else done.</summary>
    public static int TokenReaderOnly(byte[] alert)
    {
        var reader = new JsonTokenReader(alert, 64);
        var tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    /// <returns>The number of addresses found.</returns>
    public int Extract(byte[] alert)
    {
        _extractor.TryExtract(alert, _extraction, out _);
        return _extraction.Count;
    }

    /// <returns>The bytes written.</returns>
    public int ExtractAndAnnotate(byte[] alert)
    {
        if (!_extractor.TryExtract(alert, _extraction, out var rejection))
        {
            Rejection = rejection.Reason;
            return 0;
        }

        _output.ResetWrittenCount();
        _annotator.Annotate(alert, _extraction, _results.AsSpan(0, _extraction.CandidateCount), 720, DateTimeOffset.UnixEpoch, _output);
        return _output.WrittenCount;
    }
}
