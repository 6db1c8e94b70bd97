using IpEnrich.Core.Collections;

namespace IpEnrich.Core.Tests.Collections;

public sealed class BoundedMemoTests
{
    [Fact]
    public void A_repeated_key_is_made_once_and_returns_the_same_value()
    {
        var memo = new BoundedMemo<int, string>(16);
        var made = 0;

        var first = memo.GetOrAdd(7, (key, prefix) => { made++; return $"{prefix}{key}"; }, "ip-");
        var second = memo.GetOrAdd(7, (key, prefix) => { made++; return $"{prefix}{key}"; }, "ip-");

        Assert.Equal("ip-7", first);
        Assert.Same(first, second);
        Assert.Equal(1, made);
    }

    [Fact]
    public void A_stream_of_unique_keys_never_holds_more_than_the_capacity()
    {
        var memo = new BoundedMemo<int, int>(100);

        for (var key = 0; key < 10_000; key++)
        {
            Assert.Equal(key * 2, memo.GetOrAdd(key, static (k, _) => k * 2, 0));
            Assert.InRange(memo.Count, 1, 100);
        }
    }

    [Fact]
    public void Threads_asking_for_the_same_keys_at_once_all_get_one_stored_value_per_key()
    {
        var memo = new BoundedMemo<int, object>(1_000);
        var seen = new object[8][];

        Parallel.For(0, seen.Length, t =>
        {
            seen[t] = new object[500];
            for (var key = 0; key < 500; key++)
            {
                seen[t][key] = memo.GetOrAdd(key, static (_, _) => new object(), 0);
            }
        });

        for (var key = 0; key < 500; key++)
        {
            var stored = memo.GetOrAdd(key, static (_, _) => new object(), 0);
            Assert.All(seen, values => Assert.Same(stored, values[key]));
        }

        Assert.Equal(500, memo.Count);
    }
}
