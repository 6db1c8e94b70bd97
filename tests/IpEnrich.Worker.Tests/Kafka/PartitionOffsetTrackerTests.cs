using IpEnrich.Worker.Kafka;

namespace IpEnrich.Worker.Tests.Kafka;

public sealed class PartitionOffsetTrackerTests
{
    [Fact]
    public void Stores_only_the_contiguous_delivered_prefix()
    {
        var tracker = new PartitionOffsetTracker();
        foreach (var offset in new long[] { 10, 11, 12, 13 })
        {
            tracker.Consumed(offset);
        }

        Assert.Null(tracker.Delivered(12));   // 10 and 11 still out
        Assert.Null(tracker.Delivered(11));
        Assert.Equal(13, tracker.Delivered(10)); // 10, 11, 12 done → next to read is 13
        Assert.Equal(1, tracker.InFlight);
        Assert.Equal(14, tracker.Delivered(13));
        Assert.Equal(0, tracker.InFlight);
    }

    [Fact]
    public void Gaps_in_offsets_such_as_compaction_or_transaction_markers_are_fine()
    {
        var tracker = new PartitionOffsetTracker();
        tracker.Consumed(5);
        tracker.Consumed(9);
        Assert.Null(tracker.Delivered(9));
        Assert.Equal(10, tracker.Delivered(5));
    }

    [Fact]
    public void Random_completion_order_never_stores_past_an_undelivered_offset()
    {
        var random = new Random(5);
        var tracker = new PartitionOffsetTracker();
        var offsets = Enumerable.Range(0, 1000).Select(i => (long)i).ToList();
        offsets.ForEach(tracker.Consumed);
        var delivered = new HashSet<long>();
        long stored = 0;
        foreach (var offset in offsets.OrderBy(_ => random.Next()))
        {
            delivered.Add(offset);
            if (tracker.Delivered(offset) is { } next)
            {
                Assert.True(next > stored);
                stored = next;
                Assert.All(Enumerable.Range(0, (int)next), o => Assert.Contains(o, delivered));
            }
        }

        Assert.Equal(1000, stored);
    }

    [Fact]
    public void Out_of_order_consumption_is_a_bug_caught_early() =>
        Assert.Throws<InvalidOperationException>(() =>
        {
            var tracker = new PartitionOffsetTracker();
            tracker.Consumed(3);
            tracker.Consumed(2);
        });
}
