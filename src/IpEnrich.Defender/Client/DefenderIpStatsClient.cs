using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Http;
using Microsoft.Extensions.Logging;

namespace IpEnrich.Defender.Client;

/// <summary>
/// The typed client (IHttpClientFactory) for <c>GET /api/ips/{ip}/stats</c>. The URL is built only from the parsed
/// address's canonical text, so alert content can never shape the path. Resilience (timeouts, retries, circuit
/// breaker) and authentication are handlers of its HttpClient.
/// </summary>
public sealed partial class DefenderIpStatsClient(HttpClient http, IpEnrichTelemetry telemetry, TimeProvider time, DefenderApiStatus apiStatus,
    ApiOutageLog outages, ILogger<DefenderIpStatsClient> logger, IRetryQuota? retryQuota = null)
    : IDefenderClient
{
    private static readonly TimeSpan DefaultRetryAfter = TimeSpan.FromSeconds(60);

    public async Task<IpStatsResult> GetIpStatsAsync(IPAddress ip, int lookBackHours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ip);
        ArgumentOutOfRangeException.ThrowIfLessThan(lookBackHours, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(lookBackHours, 720);

        var canonical = Canonical(ip);
        using var activity = IpEnrichTelemetry.ActivitySource.StartActivity(TraceNames.GetIpStats, ActivityKind.Client);
        activity?.SetTag(TraceNames.Ip, canonical);
        activity?.SetTag("ipenrich.look_back_hours", lookBackHours);
        var started = time.GetTimestamp();
        var result = await SendAsync(canonical, lookBackHours, activity, cancellationToken);
        telemetry.ApiDuration.Record(time.GetElapsedTime(started).TotalSeconds);
        activity?.SetTag(TraceNames.Result, result.GetType().Name);
        switch (result)
        {
            case IpStatsResult.Throttled t:
                LogThrottled(logger, canonical, t.RetryAfter.TotalSeconds);
                break;
            case IpStatsResult.Failed f:
                activity?.SetStatus(ActivityStatusCode.Error, f.Reason);
                outages.Failed(canonical, f.Reason, f.Transient);
                break;
        }

        if (result is not IpStatsResult.Failed)
        {
            outages.Answered();
        }

        return result;
    }

    /// <summary>The address the APIs are asked about: without zone id; IPv4-mapped as IPv4.</summary>
    public static IPAddress CanonicalAddress(IPAddress ip)
    {
        ArgumentNullException.ThrowIfNull(ip);
        return ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4()
            : ip.AddressFamily == AddressFamily.InterNetworkV6 && ip.ScopeId != 0 ? new IPAddress(ip.GetAddressBytes())
            : ip;
    }

    /// <summary>The only text that reaches the URL: the canonical address's text.</summary>
    public static string Canonical(IPAddress ip) => CanonicalAddress(ip).ToString();

    private async Task<IpStatsResult> SendAsync(string canonical, int lookBackHours, Activity? activity, CancellationToken cancellationToken)
    {
        var uri = new Uri($"api/ips/{canonical}/stats?lookBackHours={lookBackHours.ToString(CultureInfo.InvariantCulture)}", UriKind.Relative);
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        var attempts = new LookupAttempts(retryQuota);
        request.Options.Set(LookupAttempts.Key, attempts);

        try
        {
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
            var status = (int)response.StatusCode;
            telemetry.ApiRequests.Add(1, new KeyValuePair<string, object?>(TagNames.StatusCode, status));
            activity?.SetTag("http.response.status_code", status);
            RecordAnswer(response.StatusCode);
            return await InterpretAsync(response, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (TransportFailures.Classify(ex, apiStatus, "Defender API") is { } failure)
        {
            // A retry stopped by the circuit after an attempt that left: the API counted that one.
            return new IpStatsResult.Failed(failure.Reason, failure.Transient, NotSent: failure.NotSent && attempts.Sent == 0);
        }
        finally
        {
            await attempts.SettleAsync();
        }
    }

    // After a fresh-token retry, 401 or 403 means this identity cannot use the API; any other answer proves TLS and the token good.
    private void RecordAnswer(HttpStatusCode code)
    {
        if (code is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            apiStatus.Failed($"the Defender API answered {(int)code} {code} to this identity's token");
        }
        else
        {
            apiStatus.Succeeded();
        }
    }

    private static async Task<IpStatsResult> InterpretAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        switch (response.StatusCode)
        {
            case HttpStatusCode.OK:
                return await ParseStatsAsync(response, cancellationToken);
            case HttpStatusCode.NotFound:
                return IpStatsResult.NotSeenResult;
            case HttpStatusCode.TooManyRequests:
                return new IpStatsResult.Throttled(RetryAfter(response) ?? DefaultRetryAfter);
        }

        var error = await ReadErrorAsync(response, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.BadRequest when error?.Code == "InvalidIpAddress" => new IpStatsResult.Invalid(error.Message ?? "invalid IP address"),
            HttpStatusCode.Unauthorized => new IpStatsResult.Failed("unauthorized: the API rejected a freshly acquired token", Transient: false, status),
            HttpStatusCode.Forbidden => new IpStatsResult.Failed("forbidden: the application lacks the Ip.Read.All permission", Transient: false, status),
            HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError =>
                new IpStatsResult.Failed($"API error {status}{Describe(error)}", Transient: true, status),
            _ => new IpStatsResult.Failed($"unexpected API answer {status}{Describe(error)}", Transient: false, status),
        };
    }

    private static async Task<IpStatsResult> ParseStatsAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        IpStatsPayload? payload;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            payload = await JsonSerializer.DeserializeAsync(body, DefenderJsonContext.Default.IpStatsPayload, cancellationToken);
        }
        catch (JsonException)
        {
            return new IpStatsResult.Failed("malformed API answer: not the IP statistics JSON", Transient: false, 200);
        }

        var prevalence = payload?.OrganizationPrevalence ?? payload?.OrgPrevalence;
        if (prevalence is null)
        {
            return new IpStatsResult.Failed("malformed API answer: no prevalence field", Transient: false, 200);
        }

        return prevalence == 0
            ? IpStatsResult.NotSeenResult
            : new IpStatsResult.Found(prevalence.Value, payload!.OrgFirstSeen, payload.OrgLastSeen);
    }

    internal static async Task<ErrorDetail?> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
            return (await JsonSerializer.DeserializeAsync(body, DefenderJsonContext.Default.ErrorPayload, cancellationToken))?.Error;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    internal static TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - DateTimeOffset.UtcNow is var wait && wait > TimeSpan.Zero ? wait : TimeSpan.FromSeconds(1),
        _ => null,
    };

    private static string Describe(ErrorDetail? error) => error?.Code is { } code ? $" ({code})" : string.Empty;

    [LoggerMessage(Level = Microsoft.Extensions.Logging.LogLevel.Debug, Message = "Defender API throttled the lookup of {Ip}; retry after {RetryAfterSeconds} s")]
    private static partial void LogThrottled(ILogger logger, string ip, double retryAfterSeconds);
}
