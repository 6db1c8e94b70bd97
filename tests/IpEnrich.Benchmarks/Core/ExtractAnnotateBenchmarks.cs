using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;

namespace IpEnrich.Benchmarks.Core;

/// <summary>
/// Extract + annotate over the corpus mix, single thread, as the pipeline does it per message: validate and extract,
/// fill one result per candidate, write the output into a pooled buffer. Reported per alert.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(Columns))]
public class ExtractAnnotateBenchmarks
{
    /// <summary>Alerts per invocation, cycled through the mix, so time and allocations are reported per alert.</summary>
    private const int AlertsPerInvoke = 256;

    private ExtractAnnotateWork _work = null!; // made per Triage value in Setup
    private byte[][] _alerts = [];
    private int _cursor;

    /// <summary>With the triage signals (the worker's default) or without: their cost side by side in one run.</summary>
    [Params(false, true)]
    public bool Triage { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _work = new ExtractAnnotateWork(Triage);
        _alerts = AlertMix.Get();
    }

    [Benchmark(OperationsPerInvoke = AlertsPerInvoke)]
    public int ExtractAndAnnotate()
    {
        var written = 0;
        for (var i = 0; i < AlertsPerInvoke; i++)
        {
            written += _work.ExtractAndAnnotate(Next());
        }

        return written;
    }

    [Benchmark(OperationsPerInvoke = AlertsPerInvoke)]
    public int ExtractOnly()
    {
        var found = 0;
        for (var i = 0; i < AlertsPerInvoke; i++)
        {
            found += _work.Extract(Next());
        }

        return found;
    }

    /// <summary><see cref="System.Text.Json.Utf8JsonReader"/> reading every token and doing nothing else: the floor of an extractor built on it.</summary>
    [Benchmark(OperationsPerInvoke = AlertsPerInvoke)]
    public int JsonReaderOnly()
    {
        var tokens = 0;
        for (var i = 0; i < AlertsPerInvoke; i++)
        {
            tokens += ExtractAnnotateWork.ReadOnly(Next());
        }

        return tokens;
    }

    /// <summary>The floor: the extractor's own reader reading every token and doing nothing else.</summary>
    [Benchmark(OperationsPerInvoke = AlertsPerInvoke)]
    public int TokenReaderOnly()
    {
        var tokens = 0;
        for (var i = 0; i < AlertsPerInvoke; i++)
        {
            tokens += ExtractAnnotateWork.TokenReaderOnly(Next());
        }

        return tokens;
    }

    private byte[] Next()
    {
        var alert = _alerts[_cursor];
        _cursor = (_cursor + 1) % _alerts.Length;
        return alert;
    }

    private sealed class Columns : ManualConfig
    {
        public Columns()
        {
            // The benchmark's own process tiers up as the worker does (CallCountingDelayMs=0, its project file).
            AddJob(Job.Default.WithWarmupCount(3).WithIterationCount(10).WithEnvironmentVariable("DOTNET_TC_CallCountingDelayMs", "0"));
            var bytesPerAlert = AlertMix.AverageBytes;
            AddColumn(new ThroughputColumn("Alerts/s", ns => 1e9 / ns));
            AddColumn(new ThroughputColumn("MB/s", ns => bytesPerAlert / ns * 1e3));
            AddColumn(new ThroughputColumn("Avg alert bytes", _ => bytesPerAlert));
        }
    }
}
