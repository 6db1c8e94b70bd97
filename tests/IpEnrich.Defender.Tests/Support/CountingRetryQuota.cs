using IpEnrich.Defender.Http;

namespace IpEnrich.Defender.Tests.Support;

/// <summary>A retry budget of <paramref name="slots"/> slots that records what became of each.</summary>
public sealed class CountingRetryQuota(int slots) : IRetryQuota
{
    private int _left = slots;

    public int Taken { get; private set; }

    public int Refused { get; private set; }

    public int Spent { get; private set; }

    public int Unused { get; private set; }

    public Task<object?> TryTakeAsync(CancellationToken cancellationToken)
    {
        if (_left == 0)
        {
            Refused++;
            return Task.FromResult<object?>(null);
        }

        _left--;
        Taken++;
        return Task.FromResult<object?>(new object());
    }

    public Task SpentAsync(object slot)
    {
        Spent++;
        return Task.CompletedTask;
    }

    public Task UnusedAsync(object slot)
    {
        Unused++;
        _left++;
        return Task.CompletedTask;
    }
}
