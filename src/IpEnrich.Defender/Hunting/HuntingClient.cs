using System.Diagnostics;
using System.Net;
using System.Text.Json;
using IpEnrich.Core.Telemetry;
using IpEnrich.Defender.Client;
using Microsoft.Extensions.Logging;

namespace IpEnrich.Defender.Hunting;

/// <summary>Bulk statistics through Microsoft Graph advanced hunting.</summary>
public interface IHuntingClient
{
    /// <summary>
    /// Statistics for every address of <paramref name="ips"/> (canonical, distinct) over <paramref name="lookBackHours"/>.
    /// Never throws for API or network outcomes (they are results); throws only when cancelled.
    /// </summary>
    Task<HuntingResult> RunAsync(IReadOnlyList<IPAddress> ips, int lookBackHours, CancellationToken cancellationToken);
}

/// <summary>
/// The typed client for <c>POST {graph}/v1.0/security/runHuntingQuery</c> (token for <c>Defender:GraphScope</c>).
/// Resilience and authentication are handlers of its HttpClient, as for the IP statistics API.
/// </summary>
public sealed partial class HuntingClient(HttpClient http, IpEnrichTelemetry telemetry, TimeProvider time, DefenderApiStatus apiStatus,
    ILogger<HuntingClient> logger) : IHuntingClient
{
    private static readonly Uri Endpoint = new("v1.0/security/runHuntingQuery", UriKind.Relative);
    private static readonly TimeSpan CpuCycle = TimeSpan.FromMinutes(15);

    public async Task<HuntingResult> RunAsync(IReadOnlyList<IPAddress> ips, int lookBackHours, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ips);
        using var activity = IpEnrichTelemetry.ActivitySource.StartActivity(TraceNames.RunHuntingQuery, ActivityKind.Client);
        activity?.SetTag(TraceNames.Ips, ips.Count);
        activity?.SetTag("ipenrich.look_back_hours", lookBackHours);
        HuntingResult result;
        try
        {
            using var content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(new HuntingRequest(HuntingQuery.Build(ips, lookBackHours)),
                DefenderJsonContext.Default.HuntingRequest));
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
            using var response = await http.PostAsync(Endpoint, content, cancellationToken);
            telemetry.HuntingRequests.Add(1, new KeyValuePair<string, object?>(TagNames.StatusCode, (int)response.StatusCode));
            activity?.SetTag("http.response.status_code", (int)response.StatusCode);
            result = await InterpretAsync(response, ips, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (TransportFailures.Classify(ex, apiStatus, "Graph API") is { } failure)
        {
            result = new HuntingResult.Failed(failure.Reason, failure.Transient, failure.NotSent);
        }

        activity?.SetTag(TraceNames.Result, result.GetType().Name);
        if (result is HuntingResult.Failed failed)
        {
            activity?.SetStatus(ActivityStatusCode.Error, failed.Reason);
            LogFailed(logger, ips.Count, failed.Reason, failed.Transient);
        }

        return result;
    }

    private async Task<HuntingResult> InterpretAsync(HttpResponseMessage response, IReadOnlyList<IPAddress> ips, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.OK)
        {
            try
            {
                await using var body = await response.Content.ReadAsStreamAsync(cancellationToken);
                using var document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken);
                return HuntingResponse.Read(document, ips, out var malformed) is { } byIp
                    ? new HuntingResult.Answered(byIp)
                    : new HuntingResult.Failed(malformed!, Transient: false);
            }
            catch (JsonException)
            {
                return new HuntingResult.Failed("malformed hunting answer: not JSON", Transient: false);
            }
        }

        var error = await DefenderIpStatsClient.ReadErrorAsync(response, cancellationToken);
        var message = error?.Message ?? response.ReasonPhrase ?? string.Empty;
        var status = (int)response.StatusCode;
        return response.StatusCode switch
        {
            HttpStatusCode.TooManyRequests => Throttled(response, message),
            HttpStatusCode.BadRequest => new HuntingResult.Rejected(message),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new HuntingResult.Failed(
                $"advanced hunting refused this identity ({status}): it needs the ThreatHunting.Read.All application permission and a token for Defender:GraphScope",
                Transient: false),
            HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError =>
                new HuntingResult.Failed($"Graph API error {status} ({error?.Code ?? "no code"})", Transient: true),
            _ => new HuntingResult.Failed($"unexpected Graph API answer {status} ({error?.Code ?? "no code"})", Transient: false),
        };
    }

    /// <summary>
    /// A 429 is the call limit or the CPU allocation; the body says which. Without Retry-After, the call limit frees
    /// at the next minute and the CPU allocation at the next 15-minute cycle.
    /// </summary>
    private HuntingResult.Throttled Throttled(HttpResponseMessage response, string message)
    {
        var cpu = message.Contains("processing resources", StringComparison.OrdinalIgnoreCase) || message.Contains("CPU", StringComparison.Ordinal);
        var now = time.GetUtcNow();
        var cycle = cpu ? CpuCycle : TimeSpan.FromMinutes(1);
        var untilNext = TimeSpan.FromTicks(cycle.Ticks - (now.UtcTicks % cycle.Ticks));
        return new HuntingResult.Throttled(DefenderIpStatsClient.RetryAfter(response) ?? untilNext, cpu, message);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Advanced hunting query for {Count} IPs failed: {Reason} (transient: {Transient})")]
    private static partial void LogFailed(ILogger logger, int count, string reason, bool transient);
}

/// <summary>The body of <c>runHuntingQuery</c>.</summary>
internal sealed record HuntingRequest([property: System.Text.Json.Serialization.JsonPropertyName("Query")] string Query);
