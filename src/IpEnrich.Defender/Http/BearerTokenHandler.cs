using System.Net;
using System.Net.Http.Headers;
using IpEnrich.Defender.Auth;

namespace IpEnrich.Defender.Http;

/// <summary>Attaches the bearer token to every attempt; a 401 gets the token refreshed and the request sent once more.</summary>
internal sealed class BearerTokenHandler(IAccessTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await base.SendAsync(request, cancellationToken);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        response.Dispose();
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", await tokens.RefreshAsync(token, cancellationToken));
        return await base.SendAsync(request, cancellationToken);
    }
}
