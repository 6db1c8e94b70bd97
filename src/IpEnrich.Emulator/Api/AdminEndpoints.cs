using IpEnrich.Emulator.Data;
using IpEnrich.Emulator.Diagnostics;
using IpEnrich.Emulator.Faults;
using IpEnrich.Emulator.Options;

namespace IpEnrich.Emulator.Api;

/// <summary>
/// The emulator's own endpoints under <c>/emulator</c>: call counts (<c>GET /emulator/stats</c>, contract), the call log
/// (<c>GET /emulator/calls</c>), events
/// (<c>POST /emulator/events</c>, NDJSON) and faults (<c>GET|POST /emulator/faults</c>).
/// </summary>
public static class AdminEndpoints
{
    public static void MapEmulatorAdmin(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/emulator");
        admin.MapGet("/stats", (CallStatistics calls, EventStore store) =>
        {
            var report = calls.Snapshot();
            return Results.Json(new Dictionary<string, object>
            {
                ["apps"] = report.Apps,
                ["events"] = store.EventCount,
                ["ips"] = store.IpCount,
                ["devices"] = store.DeviceCount,
            });
        });
        admin.MapGet("/calls", (CallStatistics calls) => Results.Json(calls.Log(), EmulatorJsonContext.Default.IReadOnlyListCallRecord));
        admin.MapPost("/stats/reset", (CallStatistics calls) =>
        {
            calls.Reset();
            return Results.NoContent();
        });
        admin.MapPost("/events", async (HttpRequest request, EventStore store) =>
        {
            using var reader = new StreamReader(request.Body);
            var text = await reader.ReadToEndAsync(request.HttpContext.RequestAborted);
            try
            {
                var added = EventFile.Load(store, new StringReader(text), "body");
                return Results.Json(new Dictionary<string, object> { ["added"] = added, ["events"] = store.EventCount });
            }
            catch (FormatException ex)
            {
                return Results.Json(new Dictionary<string, object> { ["error"] = ex.Message }, statusCode: 400);
            }
        });
        admin.MapGet("/faults", (FaultInjector faults) => Results.Json(faults.Current, EmulatorJsonContext.Default.FaultOptions));
        admin.MapPost("/faults", (FaultOptions body, FaultInjector faults) =>
        {
            faults.Set(body);
            return Results.Json(faults.Current, EmulatorJsonContext.Default.FaultOptions);
        });
    }
}
