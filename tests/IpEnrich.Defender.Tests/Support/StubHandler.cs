using System.Net;
using System.Text;

namespace IpEnrich.Defender.Tests.Support;

/// <summary>A primary handler that answers from a function and records every request URI.</summary>
public sealed class StubHandler(Func<HttpRequestMessage, HttpResponseMessage> answer) : HttpMessageHandler
{
    public List<Uri> Requests { get; } = [];

    public static HttpResponseMessage Json(HttpStatusCode status, string body) =>
        new(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        lock (Requests)
        {
            Requests.Add(request.RequestUri!);
        }

        return Task.FromResult(answer(request));
    }
}

/// <summary>A token source that hands out numbered tokens and counts refreshes.</summary>
public sealed class CountingTokenSource : IpEnrich.Defender.Auth.IAccessTokenSource
{
    private int _generation;

    public int Refreshes { get; private set; }

    public string Current => $"token-{_generation}";

    public Task<string> GetTokenAsync(CancellationToken cancellationToken) => Task.FromResult(Current);

    public Task<string> RefreshAsync(string rejected, CancellationToken cancellationToken)
    {
        Refreshes++;
        _generation++;
        return Task.FromResult(Current);
    }
}
