using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using IpEnrich.Emulator.Hosting;
using IpEnrich.Emulator.Options;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace IpEnrich.Testing;

/// <summary>The Defender API emulator running in-process on a free loopback port over real TLS, on a fake clock.</summary>
public sealed class RunningEmulator : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RunningEmulator(WebApplication app, FakeTimeProvider time)
    {
        _app = app;
        Time = time;
        BaseAddress = app.Addresses()[0];
        Certificate = app.Services.GetRequiredService<EmulatorCertificate>().Certificate;
    }

    public Uri BaseAddress { get; }

    /// <summary>The emulator's fake clock (unused by an emulator started on the system clock).</summary>
    public FakeTimeProvider Time { get; }

    public X509Certificate2 Certificate { get; }

    public string TokenEndpoint(string tenant = EmulatorOptions.DefaultTenantId) => $"{BaseAddress}{tenant}/oauth2/v2.0/token";

    public string Authority(string tenant = EmulatorOptions.DefaultTenantId) => $"{BaseAddress}{tenant}";

    public static async Task<RunningEmulator> StartAsync(params string[] args)
    {
        // Starts at the real time so assertions signed by real clients (MSAL) are valid; tests move it forward.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var app = EmulatorApp.Create(["--urls", "https://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. args],
            services => services.AddSingleton<TimeProvider>(time));
        await app.StartAsync();
        return new RunningEmulator(app, time);
    }

    /// <summary>The emulator on the real clock, for tests whose other parts (Redis TIME) cannot be faked.</summary>
    public static async Task<RunningEmulator> StartOnSystemClockAsync(params string[] args)
    {
        var app = EmulatorApp.Create(["--urls", "https://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", .. args]);
        await app.StartAsync();
        return new RunningEmulator(app, new FakeTimeProvider(DateTimeOffset.UtcNow));
    }

    /// <summary>Writes the emulator's TLS certificate as PEM (for Defender:CaCertificatePath) and returns the path.</summary>
    public string WriteCertificatePem()
    {
        return TempFiles.Write(Certificate.ExportCertificatePem(), ".pem");
    }

    /// <summary>Configuration that points the Defender client at this emulator with the default app's secret.</summary>
    public Dictionary<string, string?> DefenderSettings() => new()
    {
        ["Defender:TenantId"] = EmulatorOptions.DefaultTenantId,
        ["Defender:ClientId"] = EmulatorOptions.DefaultClientId,
        ["Defender:ClientSecret"] = EmulatorOptions.DefaultClientSecret,
        ["Defender:BaseUrl"] = BaseAddress.ToString().TrimEnd('/'),
        ["Defender:AuthorityHost"] = BaseAddress.ToString().TrimEnd('/'),
        ["Defender:CaCertificatePath"] = WriteCertificatePem(),
    };

    public HttpClient CreateClient() => new(TrustedTls.Handler(Certificate)) { BaseAddress = BaseAddress };

    public T GetService<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>A token for the default app by client secret, straight from the token endpoint.</summary>
    public async Task<string> GetTokenAsync(string clientId = EmulatorOptions.DefaultClientId, string secret = EmulatorOptions.DefaultClientSecret,
        string tenant = EmulatorOptions.DefaultTenantId, string scope = "https://api.securitycenter.microsoft.com/.default")
    {
        using var client = CreateClient();
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["grant_type"] = "client_credentials",
            ["client_id"] = clientId,
            ["client_secret"] = secret,
            ["scope"] = scope,
        });
        using var response = await client.PostAsync(new Uri(TokenEndpoint(tenant)), form);
        response.EnsureSuccessStatusCode();
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("access_token").GetString()!;
    }

    public async Task<HttpResponseMessage> GetStatsAsync(string ip, string? token, string? query = null)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"api/ips/{ip}/stats{query}");
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return await client.SendAsync(request);
    }

    /// <summary>A token for Microsoft Graph (advanced hunting) for the default app.</summary>
    public Task<string> GetGraphTokenAsync(string clientId = EmulatorOptions.DefaultClientId, string secret = EmulatorOptions.DefaultClientSecret,
        string tenant = EmulatorOptions.DefaultTenantId) => GetTokenAsync(clientId, secret, tenant, "https://graph.microsoft.com/.default");

    /// <summary><c>POST /v1.0/security/runHuntingQuery</c> with <c>{"Query":…}</c> (and <c>"Timespan"</c> when given).</summary>
    public async Task<HttpResponseMessage> RunHuntingQueryAsync(string query, string? token, string? timespan = null, string? clientRequestId = null)
    {
        using var client = CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1.0/security/runHuntingQuery")
        {
            Content = JsonContent.Create(timespan is null
                ? new Dictionary<string, string> { ["Query"] = query }
                : new Dictionary<string, string> { ["Query"] = query, ["Timespan"] = timespan }),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (clientRequestId is not null)
        {
            request.Headers.Add("client-request-id", clientRequestId);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Adds NDJSON events through <c>POST /emulator/events</c>.</summary>
    public async Task AddEventsAsync(params (string DeviceId, string RemoteIp, DateTimeOffset Timestamp)[] events)
    {
        using var client = CreateClient();
        var lines = string.Join('\n', events.Select(e => JsonSerializer.Serialize(new { deviceId = e.DeviceId, remoteIp = e.RemoteIp, timestamp = e.Timestamp })));
        using var content = new StringContent(lines);
        using var response = await client.PostAsync(new Uri("emulator/events", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    public async Task SetFaultsAsync(FaultOptions faults)
    {
        using var client = CreateClient();
        using var response = await client.PostAsJsonAsync(new Uri("emulator/faults", UriKind.Relative), faults);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Every stats API call so far, oldest first: when, for which IP, with which status.</summary>
    public async Task<IReadOnlyList<(DateTimeOffset At, string? Ip, int Status)>> GetCallLogAsync()
    {
        using var client = CreateClient();
        using var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("emulator/calls", UriKind.Relative)));
        return [.. body.RootElement.EnumerateArray().Select(c => (c.GetProperty("at").GetDateTimeOffset(),
            c.GetProperty("ip").ValueKind == JsonValueKind.Null ? null : c.GetProperty("ip").GetString(), c.GetProperty("status").GetInt32()))];
    }

    /// <summary>The IP statistics call counts of <c>GET /emulator/stats</c> for one app: total and per status code.</summary>
    public Task<(long Total, IReadOnlyDictionary<string, long> ByStatus)> GetCallsAsync(string clientId = EmulatorOptions.DefaultClientId) =>
        GetCountsAsync(clientId, app => app);

    /// <summary>The advanced hunting call counts of <c>GET /emulator/stats</c> for one app: total and per status code.</summary>
    public Task<(long Total, IReadOnlyDictionary<string, long> ByStatus)> GetHuntingCallsAsync(string clientId = EmulatorOptions.DefaultClientId) =>
        GetCountsAsync(clientId, app => app.GetProperty("hunting"));

    private async Task<(long Total, IReadOnlyDictionary<string, long> ByStatus)> GetCountsAsync(string clientId, Func<JsonElement, JsonElement> select)
    {
        using var client = CreateClient();
        using var body = JsonDocument.Parse(await client.GetStringAsync(new Uri("emulator/stats", UriKind.Relative)));
        if (!body.RootElement.GetProperty("apps").TryGetProperty(clientId, out var app))
        {
            return (0, new Dictionary<string, long>());
        }

        var counts = select(app);
        var byStatus = counts.GetProperty("byStatus").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64());
        return (counts.GetProperty("total").GetInt64(), byStatus);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
