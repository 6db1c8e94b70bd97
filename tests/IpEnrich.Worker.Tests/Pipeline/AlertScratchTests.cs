using System.Runtime.InteropServices;
using System.Text;
using IpEnrich.Core.Enrichment;
using IpEnrich.Core.Extraction;
using IpEnrich.Worker.Pipeline;

namespace IpEnrich.Worker.Tests.Pipeline;

public sealed class AlertScratchTests
{
    private static readonly AlertExtractor Extractor = new(new ExtractionOptions());

    private static void Extract(AlertScratch scratch, int addresses)
    {
        var fields = string.Join(",", Enumerable.Range(1, addresses).Select(i => $"\"ip{i}\":\"198.51.100.{i}\""));
        Assert.True(Extractor.TryExtract(Encoding.UTF8.GetBytes($"{{{fields}}}"), scratch.Extraction, out var rejection), rejection.Reason);
    }

    [Fact]
    public void Answers_has_one_empty_slot_per_candidate_whatever_the_messages_before_held()
    {
        var scratch = new AlertScratch();
        var answer = IpLookupResult.NotSeen(LookupSource.Api, DateTimeOffset.UnixEpoch);

        Extract(scratch, 3);
        var first = scratch.Answers();
        first.Span.Fill(answer);
        Extract(scratch, 20); // more than it held: grows
        var second = scratch.Answers();
        second.Span.Fill(answer);
        Extract(scratch, 2);
        var third = scratch.Answers();

        Assert.Equal([3, 20, 2], [first.Length, second.Length, third.Length]);
        Assert.All(third.ToArray(), a => Assert.Equal(default, a));
        Assert.True(MemoryMarshal.TryGetArray<IpLookupResult>(third, out var segment));
        Assert.All(segment.Array!, a => Assert.Equal(default, a)); // the earlier answers are not kept alive either
    }
}
