using IpEnrich.Defender.Auth;
using StackExchange.Redis;

namespace IpEnrich.Worker.Backlog;

/// <summary>What every drain loop (per-IP and bulk) does around its rounds: nap as told, stop when claiming ends, ride out Redis.</summary>
internal static partial class DrainLoop
{
    private static readonly TimeSpan ErrorNap = TimeSpan.FromSeconds(1);

    /// <summary>Runs <paramref name="round"/> until <paramref name="claiming"/> is cancelled, napping as long as each round returns.</summary>
    public static async Task RunAsync(Func<Task<TimeSpan>> round, TimeProvider time, ILogger logger, CancellationToken claiming)
    {
        while (!claiming.IsCancellationRequested)
        {
            try
            {
                var nap = await round();
                if (nap > TimeSpan.Zero)
                {
                    await Task.Delay(nap, time, claiming);
                }
            }
            catch (OperationCanceledException) when (claiming.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is RedisException or TimeoutException)
            {
                LogStoreFailed(logger, ex);
                await Task.Delay(ErrorNap, time, CancellationToken.None);
            }
        }
    }

    /// <summary>
    /// A token before a claim: the first one can take longer than the lease, and a lookup held past its lease is
    /// claimed, and asked, by another replica as well. False (and a nap) while none can be had.
    /// </summary>
    public static async Task<bool> HasTokenAsync(IAccessTokenSource tokens, ILogger logger, CancellationToken claiming)
    {
        try
        {
            await tokens.GetTokenAsync(claiming);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogNoToken(logger, ex);
            return false;
        }
    }

    // Debug: RedisHealth reports the outage itself, once.
    [LoggerMessage(Level = LogLevel.Debug, Message = "Backlog store unavailable; retrying")]
    private static partial void LogStoreFailed(ILogger logger, Exception error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "No API token for the backlog drain yet; retrying before it takes a lookup")]
    private static partial void LogNoToken(ILogger logger, Exception error);
}
