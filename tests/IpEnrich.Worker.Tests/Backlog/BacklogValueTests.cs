using IpEnrich.Core.Enrichment;
using IpEnrich.Worker.Backlog;

namespace IpEnrich.Worker.Tests.Backlog;

public sealed class BacklogValueTests
{
    private static readonly long Now = new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    [Fact]
    public void Priority_outranks_any_number_of_waiting_alerts_and_waiting_alerts_outrank_age()
    {
        Assert.True(BacklogValue.Of(AlertPriority.High, 1, Now) > BacklogValue.Of(AlertPriority.Normal, BacklogValue.MaxWaiting, Now - 86_400_000));
        Assert.True(BacklogValue.Of(AlertPriority.Normal, 2, Now) > BacklogValue.Of(AlertPriority.Normal, 1, Now - 86_400_000));
        Assert.True(BacklogValue.Of(AlertPriority.Normal, 1, Now - 1000) > BacklogValue.Of(AlertPriority.Normal, 1, Now));
    }

    [Fact]
    public void Every_value_is_an_exact_double_and_gives_its_priority_back()
    {
        foreach (var priority in Enum.GetValues<AlertPriority>())
        {
            var value = BacklogValue.Of(priority, BacklogValue.MaxWaiting, BacklogValue.EpochMs);
            Assert.True(value < 9_007_199_254_740_992); // 2^53: Redis stores the same number
            Assert.Equal(priority, BacklogValue.PriorityOf(value));
            Assert.Equal(value - 1, BacklogValue.Of(priority, BacklogValue.MaxWaiting, BacklogValue.EpochMs + 1000)); // one second younger
        }
    }
}
