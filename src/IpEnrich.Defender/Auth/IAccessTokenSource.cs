namespace IpEnrich.Defender.Auth;

/// <summary>Bearer tokens for the API. Implementations never log or expose a token beyond the return value.</summary>
public interface IAccessTokenSource
{
    Task<string> GetTokenAsync(CancellationToken cancellationToken);

    /// <summary>A fresh token after the API rejected <paramref name="rejected"/>; concurrent callers share one refresh.</summary>
    Task<string> RefreshAsync(string rejected, CancellationToken cancellationToken);
}
