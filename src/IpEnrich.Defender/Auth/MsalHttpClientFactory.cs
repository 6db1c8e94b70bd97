using Microsoft.Identity.Client;

namespace IpEnrich.Defender.Auth;

/// <summary>MSAL's HTTP through IHttpClientFactory, so the token endpoint gets the same TLS trust as the API.</summary>
internal sealed class MsalHttpClientFactory(IHttpClientFactory factory) : IMsalHttpClientFactory
{
    public const string ClientName = "IpEnrich.Msal";

    public HttpClient GetHttpClient() => factory.CreateClient(ClientName);
}
