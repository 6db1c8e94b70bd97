using System.Text;

namespace IpEnrich.Testing;

/// <summary>What the pipeline must do with a hostile message.</summary>
public enum HostileOutcome
{
    /// <summary>Dead-lettered; the <c>ipenrich-error</c> header contains <see cref="HostileAlert.Expect"/>.</summary>
    DeadLetter,

    /// <summary>Published and enriched; exactly the IPs in <see cref="HostileAlert.Ips"/> are looked up.</summary>
    Enriched,
}

/// <summary>One adversarial message: its bytes, optional Kafka headers and the expected handling.</summary>
public sealed record HostileAlert(string Name, byte[] Value, HostileOutcome Outcome, string Expect, IReadOnlyList<string> Ips)
{
    public IReadOnlyList<(string Key, byte[] Value)> Headers { get; init; } = [];
}

/// <summary>
/// Malformed and adversarial alerts (issue 8): broken encodings and structure, resource exhaustion, strings that only
/// look like IPs, request-path and header injection, duplicate keys and a forged enrichment.
/// </summary>
public static class HostileAlerts
{
    /// <summary>The IP every "enriched" case carries besides its tricks; known to the test's estate.</summary>
    public const string Anchor = "203.0.113.10";

    public static IReadOnlyList<HostileAlert> Create(int maxAlertBytes)
    {
        static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
        static HostileAlert Bad(string name, byte[] value, string reason) => new(name, value, HostileOutcome.DeadLetter, reason, []);
        static HostileAlert Good(string name, string json, params string[] ips) => new(name, Utf8(json), HostileOutcome.Enriched, "", ips);

        var manyIps = new StringBuilder("""{"title":"scan","targets":[""");
        for (var i = 0; i < 10_000; i++)
        {
            manyIps.Append(i == 0 ? "" : ",").Append($"\"198.18.{i / 250}.{(i % 250) + 1}\"");
        }

        manyIps.Append($$"""],"src_ip":"{{Anchor}}"}""");
        return
        [
            Bad("invalid UTF-8", [.. Utf8("""{"src_ip":"1.2.3.4","x":" """), 0xC3, 0x28, .. Utf8("\"}")], "invalid UTF-8"),
            Bad("overlong UTF-8 slash", [.. Utf8("""{"path":"1.2.3.4"""), 0xC0, 0xAF, .. Utf8("\"}")], "invalid UTF-8"),
            Bad("not JSON", Utf8("src_ip=1.2.3.4 action=allow"), "not valid JSON"),
            Bad("truncated JSON", Utf8("""{"src_ip":"1.2.3.4","""), "not valid JSON"),
            Bad("array, not an object", Utf8("""["1.2.3.4"]"""), "must be a JSON object"),
            Bad("bare string", Utf8("\"1.2.3.4\""), "must be a JSON object"),
            Bad("empty", [], "empty message"),
            Bad("deep nesting", Utf8("{\"a\":" + new string('[', 100_000) + new string(']', 100_000) + "}"), "MaxDepth"),
            Bad("deep objects", Utf8(string.Concat(Enumerable.Repeat("{\"a\":", 5_000)) + "1" + new string('}', 5_000)), "MaxDepth"),
            Bad("too large", Utf8($$"""{"src_ip":"1.2.3.4","blob":"{{new string('A', maxAlertBytes)}}"}"""), "MaxAlertBytes"),
            Bad("trailing garbage", Utf8("""{"src_ip":"1.2.3.4"} {"src_ip":"5.6.7.8"}"""), "not valid JSON"),
            Good("huge string just under the limit", $$"""{"src_ip":"{{Anchor}}","blob":"{{new string('9', maxAlertBytes - 64)}}"}""", Anchor),
            Good("10,000 IPs in one alert", manyIps.ToString(), Anchor),
            Good("strings that look like IPs",
                $$"""{"src_ip":"{{Anchor}}","version":"10.0.19041.1","a":"999.1.1.1","b":"1.2.3","c":"1.2.3.4.5.6","d":"01.02.03.004","e":"1.2.3.256","f":":::1","g":"12345::1::2","h":"0x7f.1.1.1"}""",
                Anchor),
            Good("IPv4-mapped IPv6 is looked up as IPv4", $$"""{"src_ip":"::ffff:{{Anchor}}"}""", Anchor),
            Good("path injection", $$"""{"src_ip":"{{Anchor}}/../../machines","dest_ip":"{{Anchor}}?$top=10000","url":"https://x/api/ips/{{Anchor}}%2F..%2F..%2Fmachines/stats","host":"{{Anchor}}#frag","cmd":"{{Anchor}}\r\nAuthorization: Bearer x"}""",
                Anchor),
            Good("scoped IPv6 and CIDR", $$"""{"src_ip":"fe80::1%eth0","net":"{{Anchor}}/24","dest_ip":"{{Anchor}}"}""", Anchor),
            Good("duplicate keys: both values are enriched", """{"src_ip":"203.0.113.10","src_ip":"203.0.113.11"}""", Anchor, "203.0.113.11"),
            Good("forged enrichment twice", $$$"""{"src_ip":"{{{Anchor}}}","ipEnrichment":{"status":"complete","ips":[{"ip":"6.6.6.6","status":"found","orgPrevalence":999}]},"ipEnrichment":{"ips":[{"ip":"7.7.7.7"}]}}""",
                Anchor),
            new HostileAlert("header injection", Utf8($$"""{"src_ip":"{{Anchor}}"}"""), HostileOutcome.Enriched, "", [Anchor])
            {
                Headers =
                [
                    ("ipenrich-status", Utf8("complete")),
                    ("ipenrich-error", Utf8("forged")),
                    ("x-note", Utf8("a\r\nipenrich-status: complete")),
                    ("traceparent", Utf8("00-zzzz-not-a-trace\r\n")),
                ],
            },
        ];
    }
}
