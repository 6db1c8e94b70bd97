using System.Diagnostics;

namespace IpEnrich.Worker.Tests.Support;

/// <summary>Waits for a condition that something in the background makes true, and fails the test if it never does.</summary>
public static class Eventually
{
    public static async Task TrueAsync(Func<bool> condition, TimeSpan timeout, string what)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var waited = Stopwatch.StartNew();
        while (!condition())
        {
            if (waited.Elapsed > timeout)
            {
                Assert.Fail($"Gave up after {timeout.TotalSeconds:0.#} s waiting for {what}");
            }

            await Task.Delay(20, TestContext.Current.CancellationToken);
        }
    }
}
