using IpEnrich.Core.Extraction;
using IpEnrich.Testing;

namespace IpEnrich.Core.Tests.Extraction;

/// <summary>
/// Every alert file yields exactly the IPs a careful analyst lists: the shared corpus of real public alerts
/// (when ../shared/corpus exists) and the project's own hand-written samples (always).
/// </summary>
public sealed class CorpusExtractionTests
{
    public static TheoryData<string> SharedCorpusFiles() => FilesIn(RepoPaths.SharedCorpus);

    public static TheoryData<string> SampleFiles() => FilesIn(RepoPaths.Samples);

    [Theory]
    [MemberData(nameof(SharedCorpusFiles))]
    public void Shared_corpus_file_yields_its_default_set(string file) => AssertDefaultSet(RepoPaths.SharedCorpus!, file);

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Own_sample_yields_its_default_set(string file) => AssertDefaultSet(RepoPaths.Samples, file);

    [Theory]
    [MemberData(nameof(SharedCorpusFiles))]
    public void Shared_corpus_file_yields_all_analyst_ips_when_filters_are_off(string file) =>
        AssertAllSet(RepoPaths.SharedCorpus!, file);

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Own_sample_yields_all_analyst_ips_when_filters_are_off(string file) =>
        AssertAllSet(RepoPaths.Samples, file);

    [Fact]
    public void Own_samples_cover_every_corpus_format()
    {
        var names = Directory.GetFiles(RepoPaths.Samples).Select(Path.GetFileName).ToList();
        foreach (var format in new[] { "defender", "graph", "sentinel", "suricata", "ecs", "ocsf", "zeek", "wazuh", "guardduty", "cef", "securityhub" })
        {
            Assert.Contains(names, n => n!.StartsWith(format, StringComparison.Ordinal));
        }
    }

    private const string Absent = "(folder absent)";

    private static void AssertDefaultSet(string folder, string file)
    {
        SkipWhenAbsent(file);
        var expected = AlertFiles.ReadExpected(folder)[file].Default;
        var actual = Extract(Path.Combine(folder, file), new ExtractionOptions());
        Assert.Equal(expected, actual);
    }

    private static void AssertAllSet(string folder, string file)
    {
        SkipWhenAbsent(file);
        var expected = AlertFiles.ReadExpected(folder)[file].All;
        var options = new ExtractionOptions
        {
            SkipLoopback = false, SkipUnspecified = false, SkipMulticast = false, SkipLinkLocal = false, SkipBroadcast = false,
        };
        var actual = Extract(Path.Combine(folder, file), options);
        Assert.Equal(expected, actual);
    }

    private static void SkipWhenAbsent(string file)
    {
        if (file == Absent)
        {
            Assert.Skip("../shared/corpus is not beside the project on this machine");
        }
    }

    internal static string[] Extract(string path, ExtractionOptions options)
    {
        var extractor = new AlertExtractor(options);
        var result = new AlertExtraction();
        var ips = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var alert in AlertFiles.ReadAlerts(path))
        {
            Assert.True(extractor.TryExtract(alert, result, out var rejection), $"{Path.GetFileName(path)}: {rejection}");
            foreach (var ip in result.Candidates)
            {
                ips.Add(ip.ToString());
            }
        }

        return [.. ips];
    }

    private static TheoryData<string> FilesIn(string? folder)
    {
        var data = new TheoryData<string>();
        if (folder is null)
        {
            data.Add(Absent);
            return data;
        }

        foreach (var file in AlertFiles.ReadExpected(folder).Keys.Order(StringComparer.Ordinal))
        {
            data.Add(file);
        }

        return data;
    }
}
