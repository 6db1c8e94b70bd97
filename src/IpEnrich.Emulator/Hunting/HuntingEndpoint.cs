using System.Globalization;
using System.Text.Json;
using System.Xml;
using IpEnrich.Emulator.Api;
using IpEnrich.Emulator.Data;
using IpEnrich.Emulator.Diagnostics;
using IpEnrich.Emulator.Options;
using IpEnrich.Emulator.Tokens;
using Microsoft.Extensions.Options;

namespace IpEnrich.Emulator.Hunting;

/// <summary>
/// <c>POST /v1.0/security/runHuntingQuery</c> as Microsoft Graph answers it (API-NOTES, "Bulk statistics"): the shared
/// token, role, quota and fault checks, then body validation, the tenant's CPU allowance, the query, and the row limit.
/// </summary>
public sealed class HuntingEndpoint(
    ApiGate gates,
    HuntingLimits limits,
    EventStore store,
    CallStatistics calls,
    TimeProvider time,
    IOptions<EmulatorOptions> options)
{
    public const string ODataContext = "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults";
    public const string ContentType = "application/json; odata.metadata=minimal; odata.streaming=true; IEEE754Compatible=false; charset=utf-8";
    private static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    private readonly EmulatorOptions _options = options.Value;
    private readonly IReadOnlyList<string> _audiences = options.Value.GraphAudiences();

    public async Task HandleAsync(HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var requestId = Guid.NewGuid().ToString();
        context.Response.Headers["request-id"] = requestId;
        var gate = await gates.CheckAsync(context, _audiences, TokenIssuer.ThreatHuntingReadAll, limits.TryAdmitCall);
        var appId = gate.Token?.AppId;
        Task Error(int status, string code, string message) => ErrorAsync(context, requestId, appId, status, code, message);
        switch (gate.Refusal)
        {
            case GateRefusal.Unauthorized:
                await Error(401, "InvalidAuthenticationToken", "Access token is missing, invalid, expired or not issued for this resource.");
                return;
            case GateRefusal.Forbidden:
                await Error(403, "Forbidden", $"Missing application permission {TokenIssuer.ThreatHuntingReadAll} to run hunting queries.");
                return;
            case GateRefusal.Throttled:
                await Error(429, "TooManyRequests",
                    $"Call rate limit exceeded: at most {_options.Hunting.PerMinute} calls per minute per application. Try again in {(int)gate.RetryAfter.TotalSeconds} seconds.");
                return;
            case GateRefusal.ServerError:
                await Error(gate.Status, gate.Status == 503 ? "ServiceUnavailable" : "UnknownError",
                    gate.Status == 503 ? "The service is temporarily unavailable." : "An unexpected error occurred.");
                return;
        }

        var (query, timespan, invalid) = await ReadBodyAsync(context);
        if (invalid is not null)
        {
            await Error(400, "BadRequest", invalid);
            return;
        }

        var tenant = gate.Token!.TenantId;
        if (!limits.HasCpu(tenant, out var untilNextCycle))
        {
            await Error(429, "TooManyRequests",
                $"You have exceeded processing resources allocated to this tenant. You can run queries again in {untilNextCycle.ToString(@"hh\:mm\:ss", CultureInfo.InvariantCulture)}.");
            return;
        }

        HuntingResult result;
        try
        {
            result = HuntingQuery.Run(query!, store, _options.Now ?? time.GetUtcNow(), timespan, _options.Hunting.MaxResultRows);
        }
        catch (KqlException ex)
        {
            await Error(400, "BadRequest", ex.Message);
            return;
        }

        limits.Charge(tenant, result.RowsExamined);
        if (result.Rows.Count > _options.Hunting.MaxResultRows)
        {
            await Error(400, "BadRequest",
                $"Query result exceeded the limit of {_options.Hunting.MaxResultRows} rows. Narrow the query or summarize its results.");
            return;
        }

        calls.RecordHunting(appId, 200);
        context.Response.StatusCode = 200;
        context.Response.ContentType = ContentType;
        context.Response.Headers["client-request-id"] = ClientRequestId(context, requestId);
        await JsonSerializer.SerializeAsync(context.Response.Body, ToResponse(result), EmulatorJsonContext.Default.HuntingResponse, context.RequestAborted);
    }

    private static HuntingResponse ToResponse(HuntingResult result)
    {
        var schema = result.Schema.Select(c => new HuntingSchemaColumn(c.Name, c.GraphType)).ToArray();
        var rows = result.Rows.Select(row =>
        {
            var values = new Dictionary<string, object?>(row.Length, StringComparer.Ordinal);
            for (var i = 0; i < row.Length; i++)
            {
                values[result.Schema[i].Name] = row[i] switch
                {
                    DateTime d => IpStatsEndpoint.Format(new DateTimeOffset(d, TimeSpan.Zero)),
                    TimeSpan t => t.ToString("c", CultureInfo.InvariantCulture),
                    var other => other,
                };
            }

            return values;
        }).ToArray();
        return new HuntingResponse(ODataContext, schema, rows);
    }

    /// <summary>Reads <c>{"Query":"…","Timespan":"P30D"}</c> (property names in any case); the timespan is capped at the 30 days kept.</summary>
    private static async Task<(string? Query, TimeSpan Timespan, string? Invalid)> ReadBodyAsync(HttpContext context)
    {
        JsonDocument body;
        try
        {
            body = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
        }
        catch (JsonException)
        {
            return (null, default, "The request body is not valid JSON.");
        }

        using (body)
        {
            if (body.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, default, "The request body must be a JSON object with a 'Query' property.");
            }

            var properties = body.RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value, StringComparer.OrdinalIgnoreCase);
            if (!properties.TryGetValue("Query", out var query) || query.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(query.GetString()))
            {
                return (null, default, "The request body must contain a non-empty 'Query' string.");
            }

            var timespan = Retention;
            if (properties.TryGetValue("Timespan", out var raw) && raw.ValueKind != JsonValueKind.Null)
            {
                try
                {
                    timespan = XmlConvert.ToTimeSpan(raw.ValueKind == JsonValueKind.String ? raw.GetString()! : raw.GetRawText());
                }
                catch (FormatException)
                {
                    return (null, default, $"Invalid Timespan '{raw}': an ISO-8601 duration such as P30D is expected.");
                }

                timespan = timespan <= TimeSpan.Zero || timespan > Retention ? Retention : timespan;
            }

            return (query.GetString(), timespan, null);
        }
    }

    private async Task ErrorAsync(HttpContext context, string requestId, string? appId, int status, string code, string message)
    {
        calls.RecordHunting(appId, status);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        var clientRequestId = ClientRequestId(context, requestId);
        context.Response.Headers["client-request-id"] = clientRequestId;
        var date = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture);
        var body = new GraphErrorResponse(new GraphError(code, message, new GraphInnerError(date, requestId, clientRequestId)));
        await JsonSerializer.SerializeAsync(context.Response.Body, body, EmulatorJsonContext.Default.GraphErrorResponse, context.RequestAborted);
    }

    // Graph echoes the caller's client-request-id; without one it reuses the request id.
    private static string ClientRequestId(HttpContext context, string requestId) =>
        context.Request.Headers["client-request-id"] is { Count: > 0 } header ? header.ToString() : requestId;
}
