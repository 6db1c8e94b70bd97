namespace IpEnrich.Testing;

/// <summary>Waits for a condition in a test, and fails the test loudly when it does not come true in time.</summary>
public static class Eventually
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// Polls <paramref name="condition"/> until it holds; throws when <paramref name="timeout"/> passes first, naming
    /// <paramref name="because"/> (what the test was waiting for).
    /// </summary>
    public static Task UntilAsync(Func<bool> condition, TimeSpan timeout, string because, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        return UntilAsync(() => Task.FromResult(condition()), timeout, because, cancellationToken);
    }

    /// <summary>The same, for a condition that has to ask something asynchronously (an HTTP endpoint).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string because, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            if (DateTime.UtcNow >= deadline)
            {
                throw new TimeoutException($"Gave up after {timeout.TotalSeconds:0.#} s waiting until {because}.");
            }

            await Task.Delay(Poll, cancellationToken);
        }
    }
}
