using System.Buffers;
using System.Globalization;
using System.Text;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// Where an alert states its severity and how to read it: <c>path=scale</c>, e.g. <c>$.alert.severity=suricata</c>.
/// Scales: <c>text</c> (words; numbers on GuardDuty's 0–10), <c>suricata</c> (1 high … 3 low), <c>ocsf</c>
/// (severity_id 1–6), <c>ecs</c> (0–100), <c>wazuh</c> (rule.level 0–15), <c>score10</c> (0–10).
/// </summary>
public sealed class SeverityRule
{
    private const int MaxStackTextBytes = 64;

    private static readonly string[] Scales = ["text", "suricata", "ocsf", "ecs", "wazuh", "score10"];

    private SeverityRule(JsonPathPattern path, string scale)
    {
        Path = path;
        Scale = scale;
    }

    public static IReadOnlyList<string> Defaults { get; } =
    [
        "$.severity=text",                  // Defender for Endpoint, Graph alerts_v2 (words); GuardDuty (0–10)
        "$.AlertSeverity=text",             // Sentinel SecurityAlert
        "$.properties.severity=text",       // Defender for Cloud
        "$.Severity.Label=text",            // Security Hub ASFF
        "$.alert.severity=suricata",        // Suricata EVE
        "$.event.severity=ecs",             // ECS
        "$['kibana.alert.severity']=text",  // Elastic Security
        "$.severity_id=ocsf",               // OCSF
        "$.rule.level=wazuh",               // Wazuh
    ];

    public JsonPathPattern Path { get; }

    public string Scale { get; }

    public static SeverityRule Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var eq = text.LastIndexOf('=');
        var scale = eq > 0 ? text[(eq + 1)..].Trim().ToLowerInvariant() : "text";
        if (!Scales.Contains(scale))
        {
            throw new ArgumentException($"Extraction:SeverityPaths: '{text}' has unknown scale '{scale}' (one of {string.Join(", ", Scales)})");
        }

        if (!JsonPathPattern.TryParse(eq > 0 ? text[..eq].Trim() : text.Trim(), out var path, out var error))
        {
            throw new ArgumentException($"Extraction:SeverityPaths: {error}");
        }

        return new SeverityRule(path, scale);
    }

    /// <summary>Maps a string value (UTF-8) or number to a priority; null when the value says nothing usable.</summary>
    public AlertPriority? Map(ReadOnlySpan<byte> utf8Text, double? number)
    {
        if (number is { } n)
        {
            return Scale switch
            {
                "suricata" => n <= 1 ? AlertPriority.High : n <= 2 ? AlertPriority.Normal : AlertPriority.Low,
                "ocsf" => n >= 5 ? AlertPriority.Critical : n >= 4 ? AlertPriority.High : n >= 3 ? AlertPriority.Normal : AlertPriority.Low,
                "ecs" => n >= 74 ? AlertPriority.Critical : n >= 48 ? AlertPriority.High : n >= 22 ? AlertPriority.Normal : AlertPriority.Low,
                "wazuh" => n >= 12 ? AlertPriority.Critical : n >= 10 ? AlertPriority.High : n >= 5 ? AlertPriority.Normal : AlertPriority.Low,
                _ => n >= 9 ? AlertPriority.Critical : n >= 7 ? AlertPriority.High : n >= 4 ? AlertPriority.Normal : AlertPriority.Low,
            };
        }

        if (utf8Text.IsEmpty)
        {
            return null;
        }

        // Severity words are short ASCII: lower-cased on the stack, so that reading a severity allocates nothing.
        Span<byte> lower = stackalloc byte[MaxStackTextBytes];
        if (utf8Text.Length <= MaxStackTextBytes && Ascii.ToLower(utf8Text, lower, out var written) == OperationStatus.Done)
        {
            return MapLowerCase(lower[..written]);
        }

        return MapLowerCase(Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(utf8Text).Trim().ToLowerInvariant()));
    }

    private AlertPriority? MapLowerCase(ReadOnlySpan<byte> text)
    {
        // Most severities are words: the number parser (culture data, the infinity and NaN symbols) runs only for
        // text that starts like a number.
        var start = text.TrimStart(" \t\r\n"u8);
        if (!start.IsEmpty && (char.IsAsciiDigit((char)start[0]) || start[0] is (byte)'-' or (byte)'+' or (byte)'.')
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed))
        {
            return Map(default, parsed);
        }

        return text switch
        {
            _ when text.IndexOf("crit"u8) >= 0 || text.IndexOf("fatal"u8) >= 0 => AlertPriority.Critical,
            _ when text.IndexOf("high"u8) >= 0 => AlertPriority.High,
            _ when text.IndexOf("med"u8) >= 0 || text.IndexOf("moderate"u8) >= 0 => AlertPriority.Normal,
            _ when text.IndexOf("low"u8) >= 0 || text.IndexOf("info"u8) >= 0 => AlertPriority.Low,
            _ => null,
        };
    }
}
