using System.ComponentModel.DataAnnotations;

namespace IpEnrich.Core.Extraction;

/// <summary>Configuration section <c>Extraction</c>. Lists left empty fall back to the built-in defaults.</summary>
public sealed class ExtractionOptions
{
    public const string SectionName = "Extraction";

    /// <summary>Scan every string value for IPs, not only the known fields.</summary>
    public bool ScanAllStrings { get; set; } = true;

    /// <summary>Parse string values that hold a JSON document (Sentinel <c>Entities</c>) and search inside them.</summary>
    public bool ScanEmbeddedJson { get; set; } = true;

    /// <summary>JSON paths that always hold IPs; scanned even when their name looks like a version or hash field.</summary>
    public IList<string> KnownPaths { get; } = [];

    /// <summary>Where the alert's severity is read, as <c>path=scale</c> (see <see cref="SeverityRule"/>); first match wins.</summary>
    public IList<string> SeverityPaths { get; } = [];

    /// <summary>Words in a field name that mark its value as not an IP (versions, serials, MACs, hashes).</summary>
    public IList<string> ExcludedFieldWords { get; } = [];

    public bool SkipLoopback { get; set; } = true;

    public bool SkipUnspecified { get; set; } = true;

    public bool SkipMulticast { get; set; } = true;

    public bool SkipLinkLocal { get; set; } = true;

    public bool SkipBroadcast { get; set; } = true;

    /// <summary>When not empty, only addresses inside one of these networks are looked up.</summary>
    public IList<string> AllowCidrs { get; } = [];

    /// <summary>Addresses inside these networks are never looked up.</summary>
    public IList<string> DenyCidrs { get; } = [];

    /// <summary>Distinct IPs per alert that are looked up; the rest are reported as skipped.</summary>
    [Range(1, 1024)]
    public int MaxIpsPerAlert { get; set; } = 32;

    /// <summary>Distinct IPs per alert that are listed in the output at all (bounds output size for hostile alerts).</summary>
    [Range(1, 16_384)]
    public int MaxListedIps { get; set; } = 256;

    /// <summary>JSON paths reported per IP.</summary>
    [Range(1, 1024)]
    public int MaxPathsPerIp { get; set; } = 16;

    /// <summary>Nesting depth beyond which an alert is rejected.</summary>
    [Range(2, 1024)]
    public int MaxDepth { get; set; } = 64;

    /// <summary>Size in bytes beyond which an alert is rejected.</summary>
    [Range(64, 64 * 1024 * 1024)]
    public int MaxAlertBytes { get; set; } = 1024 * 1024;

    /// <summary>The property that carries the enrichment (docs/output-contract.md); it is never scanned for IPs.</summary>
    [Required]
    public string EnrichmentProperty { get; set; } = "ipEnrichment";

    public static IReadOnlyList<string> DefaultKnownPaths { get; } =
    [
        // Microsoft Defender for Endpoint / Defender XDR / Graph alerts_v2
        "$.evidence[*].ipAddress", "$.evidence[*].ipInterfaces[*]", "$.value[*].evidence[*].ipAddress",
        "$..entities[*].ipAddress", "$.value[*].alerts[*].entities[*].ipAddress",
        // Sentinel SecurityAlert entities / Defender for Cloud
        "$..entities[*].address", "$..Entities[*].Address", "$.properties.entities[*].address",
        // ECS
        "$.source.ip", "$.destination.ip", "$.client.ip", "$.server.ip", "$.host.ip", "$.host.ip[*]",
        "$.related.ip[*]", "$.source.address", "$.destination.address", "$.dns.resolved_ip[*]",
        // OCSF
        "$..src_endpoint.ip", "$..dst_endpoint.ip", "$.device.ip", "$.observables[*].value",
        // Suricata EVE
        "$.src_ip", "$.dest_ip", "$.flow.src_ip", "$.flow.dest_ip",
        // Zeek
        "$['id.orig_h']", "$['id.resp_h']", "$.id.orig_h", "$.id.resp_h", "$.answers[*]", "$.src", "$.dst",
        // Wazuh (plain and as an Elasticsearch hit)
        "$.agent.ip", "$.data.srcip", "$.data.dstip", "$._source.agent.ip", "$._source.data.srcip", "$._source.data.dstip",
        // AWS GuardDuty / Security Hub
        "$..ipAddressV4", "$..ipAddressV6", "$..privateIpAddress", "$..publicIp", "$..ipv6Addresses[*]",
        // CEF / CommonSecurityLog
        "$.SourceIP", "$.DestinationIP", "$.DeviceAddress",
    ];
}
