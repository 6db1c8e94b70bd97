using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using CommunityToolkit.HighPerformance.Buffers;
using IpEnrich.Core.Annotation;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;

namespace IpEnrich.Benchmarks.Core;

/// <summary>
/// Extract + annotate over the corpus mix, single thread, as the pipeline does it per message: validate and extract,
/// fill one result per candidate, write the output into a pooled buffer. Reported per alert.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class ExtractAnnotateBenchmarks : IDisposable
{
    /// <summary>Alerts per invocation, cycled through the mix, so time and allocations are reported per alert.</summary>
    private const int AlertsPerInvoke = 256;

    private static readonly IpLookupResult Answer = IpLookupResult.Found(
        new IpStats(42, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch), LookupSource.Cache, DateTimeOffset.UnixEpoch);

    private readonly AlertExtractor _extractor = new(new ExtractionOptions());
    private AlertAnnotator _annotator = new();
    private readonly AlertExtraction _extraction = new();
    private readonly ArrayPoolBufferWriter<byte> _output = new();
    private readonly IpLookupResult[] _results = new IpLookupResult[1024];
    private byte[][] _alerts = [];
    private int _cursor;

    /// <summary>With the triage signals (the worker's default) or without: their cost side by side in one run.</summary>
    [Params(false, true)]
    public bool Triage { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _annotator = new AlertAnnotator(triage: Triage ? new TriageRules(3, 50, TimeSpan.FromHours(24)) : null);
        _alerts = AlertMix.Get();
        Array.Fill(_results, Answer);
    }

    public void Dispose()
    {
        _output.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(OperationsPerInvoke = AlertsPerInvoke)]
    public int ExtractAndAnnotate()
    {
        var written = 0;
        for (var i = 0; i < AlertsPerInvoke; i++)
        {
            written += Process(Next());
        }

        return written;
    }

    [Benchmark(OperationsPerInvoke = AlertsPerInvoke)]
    public int ExtractOnly()
    {
        var found = 0;
        for (var i = 0; i < AlertsPerInvoke; i++)
        {
            _extractor.TryExtract(Next(), _extraction, out _);
            found += _extraction.Count;
        }

        return found;
    }

    private byte[] Next()
    {
        var alert = _alerts[_cursor];
        _cursor = (_cursor + 1) % _alerts.Length;
        return alert;
    }

    private int Process(byte[] alert)
    {
        if (!_extractor.TryExtract(alert, _extraction, out _))
        {
            return 0;
        }

        _output.Clear();
        _annotator.Annotate(alert, _extraction, _results.AsSpan(0, _extraction.Candidates.Count), 720, DateTimeOffset.UnixEpoch, _output);
        return _output.WrittenCount;
    }

    private sealed class Columns : ManualConfig
    {
        public Columns()
        {
            var bytesPerAlert = AlertMix.AverageBytes;
            AddColumn(new ThroughputColumn("Alerts/s", ns => 1e9 / ns));
            AddColumn(new ThroughputColumn("MB/s", ns => bytesPerAlert / ns * 1e3));
            AddColumn(new ThroughputColumn("Avg alert bytes", _ => bytesPerAlert));
        }
    }
}
