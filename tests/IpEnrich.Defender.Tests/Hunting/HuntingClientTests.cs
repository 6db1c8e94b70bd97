using System.Net;
using System.Text.Json;
using IpEnrich.Defender.Auth;
using IpEnrich.Defender.Client;
using IpEnrich.Defender.Hunting;
using IpEnrich.Defender.Tests.Client;
using IpEnrich.Defender.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace IpEnrich.Defender.Tests.Hunting;

/// <summary>The hunting client composed as the worker composes it, against a stub Graph: requests, answers, errors.</summary>
public sealed class HuntingClientTests
{
    private static readonly IPAddress[] Batch = [IPAddress.Parse("10.0.0.1"), IPAddress.Parse("10.0.0.2"), IPAddress.Parse("2001:db8::1")];

    private static DefenderHarness Harness(StubHandler stub, CountingTokenSource graphTokens) => new(
        new Dictionary<string, string?>
        {
            ["Defender:TenantId"] = "t", ["Defender:ClientId"] = "c", ["Defender:ClientSecret"] = "s",
            ["Defender:BaseUrl"] = "https://127.0.0.1:9", ["Defender:AuthorityHost"] = "https://127.0.0.1:9", ["Defender:GraphBaseUrl"] = "https://127.0.0.1:9",
        },
        new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 2, 10, 7, 30, TimeSpan.Zero)),
        services => services.AddKeyedSingleton<IAccessTokenSource>(DefenderServiceCollectionExtensions.GraphTokens, graphTokens),
        services => services.AddHttpClient<IHuntingClient, HuntingClient>().ConfigurePrimaryHttpMessageHandler(() => stub));

    private static async Task<(HuntingResult Result, List<HttpRequestMessage> Requests, List<string> Bodies)> RunAsync(Func<HttpResponseMessage> answer)
    {
        var requests = new List<HttpRequestMessage>();
        var bodies = new List<string>();
        var stub = new StubHandler(request =>
        {
            requests.Add(request);
            bodies.Add(request.Content!.ReadAsStringAsync().GetAwaiter().GetResult());
            return answer();
        });
        await using var harness = Harness(stub, new CountingTokenSource());
        var result = await harness.RunAsync(harness.Get<IHuntingClient>().RunAsync(Batch, 720, TestContext.Current.CancellationToken), TimeSpan.FromSeconds(1));
        return (result, requests, bodies);
    }

    [Fact]
    public async Task Posts_the_query_with_a_graph_token_and_reads_rows_case_insensitively_absent_ips_not_seen()
    {
        var (result, requests, bodies) = await RunAsync(() => StubHandler.Json(HttpStatusCode.OK, """
            {"@odata.context":"x","Schema":[{"Name":"IP","Type":"String"}],
             "Results":[{"ip":"::ffff:10.0.0.1","DEVICES":"3","firstseen":"2024-03-26T09:39:50.7688641Z","LastSeen":"2024-03-27T10:00:00Z"},
                        {"IP":"203.0.113.9","Devices":7,"FirstSeen":"2024-03-26T09:39:50Z","LastSeen":"2024-03-26T09:39:50Z"}]}
            """));

        var request = Assert.Single(requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("/v1.0/security/runHuntingQuery", request.RequestUri!.AbsolutePath);
        Assert.Equal("Bearer token-0", request.Headers.Authorization!.ToString());
        Assert.Equal(HuntingQuery.Build(Batch, 720), JsonDocument.Parse(bodies[0]).RootElement.GetProperty("Query").GetString());
        var answered = Assert.IsType<HuntingResult.Answered>(result);
        Assert.Equal(3, answered.ByIp.Count); // 203.0.113.9 was not asked: not kept
        Assert.Equal(new IpStatsResult.Found(3, DateTimeOffset.Parse("2024-03-26T09:39:50.7688641Z", System.Globalization.CultureInfo.InvariantCulture),
            new DateTimeOffset(2024, 3, 27, 10, 0, 0, TimeSpan.Zero)), answered.ByIp[IPAddress.Parse("10.0.0.1")]);
        Assert.IsType<IpStatsResult.NotSeen>(answered.ByIp[IPAddress.Parse("10.0.0.2")]);
        Assert.IsType<IpStatsResult.NotSeen>(answered.ByIp[IPAddress.Parse("2001:db8::1")]);
    }

    [Fact]
    public async Task A_cpu_429_without_retry_after_waits_for_the_next_15_minute_cycle_and_a_call_429_honours_retry_after()
    {
        var (cpu, _, _) = await RunAsync(() => StubHandler.Json(HttpStatusCode.TooManyRequests,
            """{"error":{"code":"TooManyRequests","message":"You have exceeded processing resources allocated to this tenant. You can run queries again in 00:07:30."}}"""));
        var throttled = Assert.IsType<HuntingResult.Throttled>(cpu);
        Assert.True(throttled.Cpu);
        Assert.Equal(TimeSpan.FromMinutes(7.5), throttled.RetryAfter); // 10:07:30 → 10:15:00

        var (calls, _, _) = await RunAsync(() =>
        {
            var response = StubHandler.Json(HttpStatusCode.TooManyRequests, """{"error":{"code":"TooManyRequests","message":"Rate limit of 45 calls per minute exceeded"}}""");
            response.Headers.TryAddWithoutValidation("Retry-After", "17");
            return response;
        });
        Assert.Equal(new HuntingResult.Throttled(TimeSpan.FromSeconds(17), false, "Rate limit of 45 calls per minute exceeded"), calls);
    }

    [Fact]
    public async Task A_400_is_a_rejected_query_a_403_names_the_permission_and_a_5xx_is_transient()
    {
        var (bad, _, _) = await RunAsync(() => StubHandler.Json(HttpStatusCode.BadRequest,
            """{"error":{"code":"BadRequest","message":"'summarize' operator: Failed to resolve scalar expression named 'x'","innerError":{"date":"2026-12-02T10:07:30","request-id":"r","client-request-id":"c"}}}"""));
        Assert.Equal(new HuntingResult.Rejected("'summarize' operator: Failed to resolve scalar expression named 'x'"), bad);

        var (forbidden, _, _) = await RunAsync(() => StubHandler.Json(HttpStatusCode.Forbidden, """{"error":{"code":"Forbidden","message":"Missing role"}}"""));
        var refused = Assert.IsType<HuntingResult.Failed>(forbidden);
        Assert.False(refused.Transient);
        Assert.Contains("ThreatHunting.Read.All", refused.Reason, StringComparison.Ordinal);

        var (outage, requests, _) = await RunAsync(() => StubHandler.Json(HttpStatusCode.ServiceUnavailable, """{"error":{"code":"UnknownError","message":""}}"""));
        Assert.True(Assert.IsType<HuntingResult.Failed>(outage).Transient);
        Assert.Equal(2, requests.Count); // one retry at most: a query may have run for minutes
    }
}
