using System.Net;
using System.Text.Json;
using IpEnrich.Testing;
using Microsoft.IdentityModel.JsonWebTokens;

namespace IpEnrich.Emulator.Tests.Hunting;

/// <summary>POST /v1.0/security/runHuntingQuery: Graph's answer shape, its token and role checks, and 400 for what it cannot run.</summary>
[Trait("Category", "Integration")]
public sealed class HuntingEndpointTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_query_answers_graph_hunting_results_with_schema_and_utc_datetimes()
    {
        await using var emulator = await RunningEmulator.StartAsync("--now", Now.ToString("O"));
        await emulator.AddEventsAsync(("dev-1", "203.0.113.5", Now.AddHours(-5).AddTicks(7688641)), ("dev-2", "::ffff:203.0.113.5", Now.AddHours(-1)));
        using var response = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["203.0.113.5", "::ffff:203.0.113.5", "198.51.100.7"]), await emulator.GetGraphTokenAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var json = await response.Content.ReadAsStringAsync();
        using var body = JsonDocument.Parse(json);
        Assert.Equal("https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults", body.RootElement.GetProperty("@odata.context").GetString());
        Assert.Equal("""[{"name":"IP","type":"String"},{"name":"Devices","type":"Int64"},{"name":"FirstSeen","type":"DateTime"},{"name":"LastSeen","type":"DateTime"}]""",
            body.RootElement.GetProperty("schema").GetRawText());
        Assert.Equal("""[{"IP":"203.0.113.5","Devices":2,"FirstSeen":"2026-11-20T07:00:00.7688641Z","LastSeen":"2026-11-20T11:00:00Z"}]""",
            body.RootElement.GetProperty("results").GetRawText()); // the IP never seen is absent
    }

    [Fact]
    public async Task No_token_is_401_in_graph_envelope_echoing_client_request_id()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var response = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token: null, clientRequestId: "abc-123");

        var error = await AssertGraphError(response, HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        var inner = error.GetProperty("innerError");
        Assert.Equal("abc-123", inner.GetProperty("client-request-id").GetString());
        Assert.True(Guid.TryParse(inner.GetProperty("request-id").GetString(), out _));
        Assert.True(DateTime.TryParse(inner.GetProperty("date").GetString(), System.Globalization.CultureInfo.InvariantCulture, out _));
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
    }

    [Fact]
    public async Task A_defender_token_is_401_for_hunting_and_a_graph_token_is_401_for_ip_statistics()
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var hunting = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), await emulator.GetTokenAsync());
        using var stats = await emulator.GetStatsAsync("10.0.0.1", await emulator.GetGraphTokenAsync());

        await AssertGraphError(hunting, HttpStatusCode.Unauthorized, "InvalidAuthenticationToken");
        Assert.Equal(HttpStatusCode.Unauthorized, stats.StatusCode);
    }

    [Fact]
    public async Task An_app_without_threat_hunting_read_all_is_403()
    {
        await using var emulator = await RunningEmulator.StartAsync(
            "--Emulator:Apps:0:TenantId=t1", "--Emulator:Apps:0:ClientId=stats-only", "--Emulator:Apps:0:ClientSecret=s", "--Emulator:Apps:0:Roles:0=Ip.Read.All");
        var token = await emulator.GetTokenAsync("stats-only", "s", "t1", "https://graph.microsoft.com/.default");
        using var response = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);

        var error = await AssertGraphError(response, HttpStatusCode.Forbidden, "Forbidden");
        Assert.Contains("ThreatHunting.Read.All", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://graph.microsoft.com")]
    [InlineData("https://graph.microsoft.us")]
    [InlineData("https://dod-graph.microsoft.us")]
    public async Task Graph_tokens_of_every_cloud_carry_the_requested_audience_and_the_hunting_role(string resource)
    {
        await using var emulator = await RunningEmulator.StartAsync();
        var token = await emulator.GetTokenAsync(scope: resource + "/.default");
        var jwt = new JsonWebToken(token);

        Assert.Equal(resource, Assert.Single(jwt.Audiences));
        Assert.Contains("ThreatHunting.Read.All", jwt.GetPayloadValue<string[]>("roles"));
        using var response = await emulator.RunHuntingQueryAsync(WorkerQuery.For(["10.0.0.1"]), token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("DeviceNetworkEvents | take 10", "Query could not be parsed at 'take' on line [1,23]")]
    [InlineData("DeviceProcessEvents | where Timestamp > ago(1h)", "Failed to resolve table or column expression named 'DeviceProcessEvents'")]
    [InlineData("DeviceNetworkEvents | summarize Devices = dcount(x) by RemoteIP", "'summarize' operator: Failed to resolve scalar expression named 'x'")]
    [InlineData("DeviceNetworkEvents | where RemoteIP in (\"1.2.3.4\"", "Query could not be parsed at '<end of query>' on line [1,51]")]
    [InlineData("DeviceNetworkEvents | where RemoteIP matches regex \"1.*\"", "Query could not be parsed at 'matches' on line [1,38]")]
    [InlineData("SELECT * FROM DeviceNetworkEvents", "Query could not be parsed at '*' on line [1,8]")]
    [InlineData("DeviceNetworkEvents | project RemoteIP", "Query could not be parsed at 'project' on line [1,23]")]
    public async Task Malformed_and_foreign_queries_are_400_bad_request_with_a_kql_message(string query, string message)
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var response = await emulator.RunHuntingQueryAsync(query, await emulator.GetGraphTokenAsync());
        var error = await AssertGraphError(response, HttpStatusCode.BadRequest, "BadRequest");
        Assert.Equal(message, error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"Timespan":"P1D"}""")]
    [InlineData("""{"Query":"DeviceNetworkEvents","Timespan":"30 days"}""")]
    public async Task A_body_without_a_query_or_with_a_bad_timespan_is_400(string body)
    {
        await using var emulator = await RunningEmulator.StartAsync();
        using var client = emulator.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1.0/security/runHuntingQuery") { Content = new StringContent(body) };
        request.Headers.Authorization = new("Bearer", await emulator.GetGraphTokenAsync());
        using var response = await client.SendAsync(request);
        await AssertGraphError(response, HttpStatusCode.BadRequest, "BadRequest");
    }

    /// <summary>Asserts Graph's error envelope and returns its <c>error</c> object (cloned, so it outlives the response).</summary>
    internal static async Task<JsonElement> AssertGraphError(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        Assert.Equal(status, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var error = body.RootElement.GetProperty("error").Clone();
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        Assert.Equal(JsonValueKind.Object, error.GetProperty("innerError").ValueKind);
        return error;
    }
}
