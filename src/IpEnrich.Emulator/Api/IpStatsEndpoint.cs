using System.Globalization;
using IpEnrich.Core.Extraction;
using IpEnrich.Emulator.Data;
using IpEnrich.Emulator.Diagnostics;
using IpEnrich.Emulator.Options;
using IpEnrich.Emulator.Quota;
using IpEnrich.Emulator.Tokens;
using Microsoft.Extensions.Options;

namespace IpEnrich.Emulator.Api;

/// <summary>
/// <c>GET /api/ips/{ip}/stats?lookBackHours=N</c> as the live service answers it (API-NOTES): token and role checks,
/// per-application quota, injected faults, validation, then statistics from the event store.
/// </summary>
public sealed class IpStatsEndpoint(
    ApiGate gates,
    ApiQuota quota,
    EventStore store,
    CallStatistics calls,
    TimeProvider time,
    IOptions<EmulatorOptions> options)
{
    public const string ODataContentType = "application/json; odata.metadata=minimal; odata.streaming=true; charset=utf-8";
    private const int DefaultLookBackHours = 720;
    private readonly EmulatorOptions _options = options.Value;
    private readonly IReadOnlyList<string> _audiences = options.Value.ApiAudiences();

    public async Task HandleAsync(HttpContext context, string ip)
    {
        ArgumentNullException.ThrowIfNull(context);
        var gate = await gates.CheckAsync(context, _audiences, TokenIssuer.IpReadAll,
            (AccessToken t, out TimeSpan retry) => quota.TryAdmit(t.TenantId + "/" + t.AppId, out retry));
        var appId = gate.Token?.AppId;
        switch (gate.Refusal)
        {
            case GateRefusal.Unauthorized:
                await ErrorAsync(context, null, ip, 401, "Unauthorized", "Authorization token is missing, invalid or expired.");
                return;
            case GateRefusal.Forbidden:
                await ErrorAsync(context, appId, ip, 403, "Forbidden",
                    "The application does not have any of the required application permissions (Ip.Read.All) to access the resource.");
                return;
            case GateRefusal.Throttled:
                await ErrorAsync(context, appId, ip, 429, "TooManyRequests",
                    $"API calls quota exceeded! Maximum allowed {_options.Quota.PerMinute} per 1 minutes, {_options.Quota.PerHour} per 1 hours. Try again in {(int)gate.RetryAfter.TotalSeconds} seconds.");
                return;
            case GateRefusal.ServerError:
                await ErrorAsync(context, appId, ip, gate.Status, gate.Status == 503 ? "ServiceUnavailable" : "InternalServerError",
                    gate.Status == 503 ? "The service is temporarily unavailable." : "An unexpected error occurred.");
                return;
        }

        if (!TryGetLookBackHours(context, out var lookBackHours, out var raw))
        {
            await ErrorAsync(context, appId, ip, 400, "InvalidInput",
                $"Invalid value '{raw}' for parameter lookBackHours: an integer between 1 and {DefaultLookBackHours} is expected.");
            return;
        }

        if (!IpAddressText.TryParse(ip, out var address))
        {
            await ErrorAsync(context, appId, ip, 400, "InvalidIpAddress", $"IP address {ip} is invalid.");
            return;
        }

        var now = _options.Now ?? time.GetUtcNow();
        var stats = store.Query(IpValue.FromAddress(address), now, TimeSpan.FromHours(lookBackHours));
        if (stats.Prevalence == 0 && _options.LegacyNotFound)
        {
            await ErrorAsync(context, appId, ip, 404, "NotFound", $"IP {address} was not found.");
            return;
        }

        calls.Record(appId, 200, address.ToString());
        context.Response.StatusCode = 200;
        context.Response.ContentType = ODataContentType;
        context.Response.Headers["OData-Version"] = "4.0";
        var body = new IpStatsResponse(
            $"{context.Request.Scheme}://{context.Request.Host}/api/$metadata#microsoft.windowsDefenderATP.api.InOrgIPStats",
            address.ToString(),
            stats.Prevalence.ToString(CultureInfo.InvariantCulture),
            stats.Prevalence,
            Format(stats.FirstSeen),
            Format(stats.LastSeen));
        await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, body, EmulatorJsonContext.Default.IpStatsResponse, context.RequestAborted);
    }

    private static bool TryGetLookBackHours(HttpContext context, out int hours, out string raw)
    {
        hours = DefaultLookBackHours;
        var values = context.Request.Query["lookBackHours"];
        raw = values.ToString();
        if (values.Count == 0)
        {
            return true;
        }

        return values.Count == 1
            && int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out hours)
            && hours is >= 1 and <= DefaultLookBackHours;
    }

    private async Task ErrorAsync(HttpContext context, string? appId, string ip, int status, string code, string message)
    {
        calls.Record(appId, status, ip);
        await WriteErrorAsync(context, status, code, message);
    }

    internal static async Task WriteErrorAsync(HttpContext context, int status, string code, string message)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = ODataContentType;
        context.Response.Headers["OData-Version"] = "4.0";
        var body = new ApiErrorResponse(new ApiError(code, message, Guid.NewGuid().ToString()));
        await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, body, EmulatorJsonContext.Default.ApiErrorResponse, context.RequestAborted);
    }

    internal static string? Format(DateTimeOffset? value) =>
        value?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);
}
