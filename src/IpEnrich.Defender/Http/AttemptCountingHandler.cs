namespace IpEnrich.Defender.Http;

/// <summary>
/// Innermost handler, so it sees only attempts that really leave: past the circuit breaker and with a token. Counts
/// each on the request's <see cref="LookupAttempts"/>.
/// </summary>
internal sealed class AttemptCountingHandler : DelegatingHandler
{
    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.Options.TryGetValue(LookupAttempts.Key, out var attempts))
        {
            attempts.Sending();
        }

        return base.SendAsync(request, cancellationToken);
    }
}
