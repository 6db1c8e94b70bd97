using System.Net.Http;
using System.Security.Authentication;
using IpEnrich.Defender.Client;
using Microsoft.Identity.Client;

namespace IpEnrich.Defender.Tests.Client;

/// <summary>The TLS/authentication status: the last failure until an API answer clears it; reasons without trace ids.</summary>
public sealed class DefenderApiStatusTests
{
    [Fact]
    public void A_failure_stays_until_an_answer_clears_it()
    {
        var status = new DefenderApiStatus();
        Assert.Null(status.Problem);
        status.Failed("authentication failed");
        Assert.Equal("authentication failed", status.Problem);
        status.Succeeded();
        Assert.Null(status.Problem);
    }

    [Fact]
    public void Describe_keeps_the_aadsts_code_and_first_sentence_only()
    {
        var ex = new MsalServiceException("invalid_client",
            "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent ... Trace ID: 1 Correlation ID: 2 Timestamp: 3");
        Assert.Equal("AADSTS7000215: Invalid client secret provided", DefenderApiStatus.Describe(ex));
        Assert.Equal("invalid_client", DefenderApiStatus.Describe(new MsalServiceException("invalid_client", "no code here")));
    }

    [Fact]
    public void A_tls_failure_is_found_inside_other_exceptions()
    {
        var tls = new HttpRequestException(HttpRequestError.SecureConnectionError, "handshake", new AuthenticationException("chain"));
        Assert.True(DefenderApiStatus.IsTlsFailure(new MsalServiceException("request_failed", "wrapped", tls)));
        Assert.False(DefenderApiStatus.IsTlsFailure(new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
    }
}
