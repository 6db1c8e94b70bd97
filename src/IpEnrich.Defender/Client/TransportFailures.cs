using Microsoft.Identity.Client;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace IpEnrich.Defender.Client;

/// <summary>What a failed call to a Microsoft API (IP statistics or Graph) means, from the exception the pipeline threw.</summary>
internal static class TransportFailures
{
    /// <summary>
    /// The reason, whether it is worth retrying later, and whether the request surely never left (an open circuit, no
    /// token: the API did not count it), or null for an exception that is not a call's outcome.
    /// </summary>
    public static (string Reason, bool Transient, bool NotSent)? Classify(Exception error, DefenderApiStatus status, string api)
    {
        switch (error)
        {
            case BrokenCircuitException:
                return ("circuit open: the API failed repeatedly", true, true);
            case TimeoutRejectedException or TaskCanceledException:
                return ("timeout", true, false);
            case HttpRequestException http:
                if (DefenderApiStatus.IsTlsFailure(http) && !http.Data.Contains(DefenderApiStatus.RecordedKey))
                {
                    status.Failed($"TLS to the {api} failed: {DefenderApiStatus.TlsReason(http)}");
                }

                return ($"network error: {http.HttpRequestError}", true, false);
            case MsalServiceException msal:
                // AADSTS codes, never the credential itself.
                return ($"authentication failed: {msal.ErrorCode} (HTTP {msal.StatusCode})", msal.StatusCode is 0 or 429 or >= 500, true);
            case MsalException msal:
                return ($"authentication failed: {msal.ErrorCode}", false, true);
            default:
                return null;
        }
    }
}
