using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Worker.Pipeline;

/// <summary>
/// What processing one message reuses from the message before: its extraction and its lookups' answers. The caller
/// keeps one per message in flight (pooled), so a warm alert allocates neither.
/// </summary>
public sealed class AlertScratch
{
    private IpLookupResult[] _answers = new IpLookupResult[8];
    private int _lastCount;

    public AlertExtraction Extraction { get; } = new();

    /// <summary>Room for one answer per candidate of <see cref="Extraction"/>, valid until the next call.</summary>
    internal Memory<IpLookupResult> Answers()
    {
        var count = Extraction.CandidateCount;
        if (_answers.Length < count)
        {
            _answers = new IpLookupResult[Math.Max(count, _answers.Length * 2)];
        }

        // No answer of the message before is read, or kept alive.
        _answers.AsSpan(0, Math.Max(count, _lastCount)).Clear();
        _lastCount = count;
        return _answers.AsMemory(0, count);
    }
}
