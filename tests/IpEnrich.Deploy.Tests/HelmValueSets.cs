namespace IpEnrich.Deploy.Tests;

/// <summary>The chart's supported shapes as <c>--set</c> value sets: what the helm tests lint and render.</summary>
public static class HelmValueSets
{
    public static readonly IReadOnlyDictionary<string, string[]> All = new Dictionary<string, string[]>
    {
        ["defaults"] = [],
        ["client-secret"] = ["defender.tenantId=t", "defender.clientId=c", "defender.clientSecret=s3cret"],
        ["workload-identity"] = ["defender.tenantId=t", "defender.clientId=c", "defender.workloadIdentity.enabled=true"],
        ["certificate"] = ["defender.tenantId=t", "defender.clientId=c", "defender.existingSecret=defender-cert", "defender.certificate.enabled=true"],
        ["keda"] = ["keda.enabled=true", "keda.maxReplicas=6"],
        ["hpa"] = ["autoscaling.enabled=true", "autoscaling.maxReplicas=5"],
        ["emulator"] = ["emulator.enabled=true", "defender.tenantId=t", "defender.clientId=c", "defender.clientSecret=s3cret"],
        ["monitoring"] = ["serviceMonitor.enabled=true", "prometheusRule.enabled=true", "networkPolicy.enabled=true"],
        ["redis-and-sasl"] = ["redis.existingSecret=redis", "kafkaSasl.existingSecret=kafka", "kafkaSasl.username=ipenrich"],
    };

    public static TheoryData<string> Names => [.. All.Keys];
}
