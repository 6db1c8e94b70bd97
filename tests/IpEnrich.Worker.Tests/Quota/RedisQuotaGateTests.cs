using IpEnrich.Core.Enrichment;
using IpEnrich.Testing;
using IpEnrich.Worker.Quota;
using IpEnrich.Worker.Tests.Support;

namespace IpEnrich.Worker.Tests.Quota;

public sealed class RedisQuotaGateTests
{
    private const int PerMinute = 1_000_000;
    private const int PerHour = 2_000_000;

    [Fact]
    [Trait("Category", "Integration")]
    public async Task Remaining_is_always_one_results_pair_and_the_last_results_once_calls_settle()
    {
        await using var server = await RedisServer.StartOrSkipAsync();
        await using var parts = await RedisParts.ConnectedAsync(server,
            new QuotaOptions { PerMinute = PerMinute, PerHour = PerHour, SafetyMargin = 0, HighPriorityReserve = 0 });
        var gate = parts.Quota;
        const int Writers = 8, Each = 1000;

        // Nothing leaves either window during the test, so every result the script returns is (PerMinute - n, PerHour - n):
        // an hour figure that is not a million above the minute figure comes from two different results. Only optimised
        // (Release) code stores a tuple's two ints separately; unoptimised code copies all 8 bytes at once and cannot tear.
        using var done = new CancellationTokenSource();
        var mixed = new List<(int Minute, int Hour)>();
        var reader = Task.Run(() =>
        {
            while (!done.IsCancellationRequested)
            {
                var (minute, hour) = gate.Remaining;
                if (hour - minute != PerHour - PerMinute)
                {
                    mixed.Add((minute, hour));
                }
            }
        }, TestContext.Current.CancellationToken);
        var writers = Enumerable.Range(0, Writers).Select(_ => Task.Run(async () =>
        {
            for (var i = 0; i < Each; i++)
            {
                Assert.True((await gate.TryAcquireAsync(AlertPriority.Normal, TestContext.Current.CancellationToken)).Allowed);
            }
        }, TestContext.Current.CancellationToken));
        await Task.WhenAll(writers);
        await done.CancelAsync();
        await reader;

        Assert.Empty(mixed);
        // Concurrent calls may publish out of order; with none in flight the pair is this call's.
        Assert.True((await gate.TryAcquireAsync(AlertPriority.Normal, TestContext.Current.CancellationToken)).Allowed);
        Assert.Equal((PerMinute - (Writers * Each) - 1, PerHour - (Writers * Each) - 1), gate.Remaining);
    }
}
