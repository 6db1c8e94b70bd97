using System.Buffers;
using System.Diagnostics;
using IpEnrich.Core.Alerts;
using IpEnrich.Core.Annotation;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Options;
using IpEnrich.Worker.Lookup;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Pipeline;

/// <summary>
/// One alert's trip through the product, independent of Kafka: validate and extract, look the IPs up (priority from
/// the alert's severity, bounded by <see cref="EnrichmentOptions.MaxWait"/>), annotate into the caller's buffer.
/// Bad input comes back as a rejection for the dead-letter topic, never as an exception.
/// </summary>
public sealed class AlertProcessor
{
    private readonly AlertExtractor _extractor;
    private readonly AlertAnnotator _annotator;
    private readonly LookupService _lookups;
    private readonly TimeProvider _time;
    private readonly IpEnrichTelemetry _telemetry;
    private readonly EnrichmentOptions _options;
    private readonly int _lookBackHours;

    public AlertProcessor(IOptions<ExtractionOptions> extraction, IOptions<EnrichmentOptions> enrichment, IOptions<DefenderOptions> defender,
        LookupService lookups, TimeProvider time, IpEnrichTelemetry telemetry, IOptions<TriageOptions>? triage = null)
    {
        ArgumentNullException.ThrowIfNull(extraction);
        ArgumentNullException.ThrowIfNull(enrichment);
        ArgumentNullException.ThrowIfNull(defender);
        _options = enrichment.Value;
        _extractor = new AlertExtractor(extraction.Value);
        _annotator = new AlertAnnotator(_options.Property, triage?.Value.ToRules());
        _lookups = lookups;
        _time = time;
        _telemetry = telemetry;
        _lookBackHours = defender.Value.LookBackHours;
    }

    /// <summary>The triage rules, or null when triage is off.</summary>
    public TriageRules? Triage => _annotator.Triage;

    /// <summary>The look-back window of every lookup (<c>Defender:LookBackHours</c>).</summary>
    public int LookBackHours => _lookBackHours;

    /// <summary>Processes <paramref name="alert"/>; on success the output value is in <paramref name="output"/>.</summary>
    /// <param name="scratch">Reusable state, one per concurrently processed message; the outcome's answers live in it.</param>
    public async ValueTask<AlertOutcome> ProcessAsync(ReadOnlyMemory<byte> alert, AlertScratch scratch, IBufferWriter<byte> output,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(scratch);
        var extraction = scratch.Extraction;
        if (!_extractor.TryExtract(alert.Span, extraction, out var rejection))
        {
            Count(AlertOutcomes.DeadLetter);
            return AlertOutcome.Rejected(rejection);
        }

        var results = scratch.Answers();
        if (!results.IsEmpty)
        {
            await _lookups.LookupAsync(extraction, results, extraction.Priority, _options.MaxWait, cancellationToken, _lookBackHours);
        }

        var triage = AlertTriage.Of(results.Span, _annotator.Triage);
        var status = _annotator.Annotate(alert.Span, extraction, results.Span, triage, _lookBackHours, _time.GetUtcNow(), output);
        Count(AlertAnnotator.StatusText(status));
        Activity.Current?.SetTag(TraceNames.Status, AlertAnnotator.StatusText(status));
        return AlertOutcome.Enriched(status, results, triage);
    }

    private void Count(string outcome) => _telemetry.Alerts.Add(1, outcome);
}

/// <summary>The result of processing one message: enriched with a status, or rejected with a one-line reason.</summary>
/// <remarks>
/// A value: the warm path returns it from a synchronously completed <see cref="ValueTask{TResult}"/>, allocation-free.
/// <see cref="Results"/> is the scratch's, valid until the scratch processes its next message.
/// </remarks>
public readonly record struct AlertOutcome(AlertEnrichmentStatus? Status, AlertRejection? Rejection, ReadOnlyMemory<IpLookupResult> Results)
{
    public bool IsRejected => Rejection is not null;

    /// <summary>The alert's triage over its final answers (empty when triage is off or none is final).</summary>
    public AlertTriage Triage { get; init; }

    public static AlertOutcome Enriched(AlertEnrichmentStatus status, ReadOnlyMemory<IpLookupResult> results, AlertTriage triage = default) =>
        new(status, null, results) { Triage = triage };

    public static AlertOutcome Rejected(AlertRejection rejection) => new(null, rejection, default);
}
