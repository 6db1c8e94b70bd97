using System.Net.Http;
using System.Text.RegularExpressions;
using Microsoft.Identity.Client;

namespace IpEnrich.Defender.Client;

/// <summary>
/// Whether the Defender API is reachable with this identity: the last TLS or authentication failure, cleared by the
/// next API answer. Set by the token source and the client, read by readiness and the lookup command.
/// </summary>
public sealed partial class DefenderApiStatus
{
    // Set on an exception whose failure the token source already recorded, so the client keeps that more precise reason.
    internal const string RecordedKey = "IpEnrich.Defender.StatusRecorded";

    private volatile string? _problem;

    /// <summary>The last TLS or authentication failure since the last API answer, or null.</summary>
    public string? Problem => _problem;

    public void Failed(string reason) => _problem = reason;

    /// <summary>An API answer other than 401/403: TLS and the token both worked.</summary>
    public void Succeeded() => _problem = null;

    /// <summary>A failed TLS handshake anywhere in <paramref name="ex"/>'s chain (the API's, or the authority's inside MSAL).</summary>
    public static bool IsTlsFailure(Exception? ex)
    {
        for (; ex is not null; ex = ex.InnerException)
        {
            if (ex is HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError })
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Why the handshake failed (the certificate check's own words), for a status line.</summary>
    public static string TlsReason(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var innermost = ex;
        while (innermost.InnerException is not null)
        {
            innermost = innermost.InnerException;
        }

        return innermost.Message;
    }

    /// <summary>The AADSTS code and first sentence of an Entra answer, without trace ids; else MSAL's error code.</summary>
    public static string Describe(MsalException ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        var match = AadstsSentence().Match(ex.Message);
        return match.Success ? match.Value.TrimEnd('.') : ex.ErrorCode;
    }

    [GeneratedRegex(@"AADSTS\d+: [^.]*\.?", RegexOptions.CultureInvariant)]
    private static partial Regex AadstsSentence();
}
