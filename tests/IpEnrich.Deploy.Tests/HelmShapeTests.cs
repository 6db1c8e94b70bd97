namespace IpEnrich.Deploy.Tests;

/// <summary>What each optional part of helm/ipenrich renders (credentials, scaling, emulator), through the real helm.</summary>
[Trait("Category", "Integration")]
public sealed class HelmShapeTests
{
    [Fact]
    public async Task Workload_identity_labels_the_pod_annotates_the_service_account_and_sets_no_client_secret()
    {
        var manifests = await Helm.TemplateAsync(HelmValueSets.All["workload-identity"]);
        Assert.Equal("true", (string?)manifests.WorkerPod["metadata"]!["labels"]!["azure.workload.identity/use"]);
        var account = manifests.One("ServiceAccount");
        Assert.Equal("c", (string?)account["metadata"]!["annotations"]!["azure.workload.identity/client-id"]);
        Assert.Equal("t", (string?)account["metadata"]!["annotations"]!["azure.workload.identity/tenant-id"]);
        Assert.True((bool?)account["automountServiceAccountToken"]);
        Assert.DoesNotContain("Defender__ClientSecret", manifests.WorkerEnv.Keys);
        Assert.Empty(manifests.OfKind("Secret"));
    }

    [Fact]
    public async Task A_certificate_is_mounted_from_the_existing_secret_and_named_in_the_settings()
    {
        var manifests = await Helm.TemplateAsync(HelmValueSets.All["certificate"]);
        var env = manifests.WorkerEnv;
        Assert.Equal("/var/run/secrets/ipenrich/defender/tls.pem", env["Defender__CertificatePath"]);
        Assert.DoesNotContain("Defender__ClientSecret", env.Keys);
        var volume = manifests.WorkerPod["spec"]!["volumes"]!.AsArray().Single(v => (string?)v!["name"] == "defender-certificate")!;
        Assert.Equal("defender-cert", (string?)volume["secret"]!["secretName"]);
        Assert.Contains(manifests.WorkerContainer["volumeMounts"]!.AsArray(), m => (string?)m!["mountPath"] == "/var/run/secrets/ipenrich/defender");
    }

    [Fact]
    public async Task A_certificate_needs_an_existing_secret_since_the_chart_cannot_create_one()
    {
        var result = await Helm.TemplateRawAsync(["defender.certificate.enabled=true", "defender.clientSecret=s3cret"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("defender.existingSecret", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_client_secret_goes_into_a_secret_read_by_the_worker()
    {
        var manifests = await Helm.TemplateAsync(HelmValueSets.All["client-secret"]);
        Assert.Equal("s3cret", (string?)manifests.One("Secret", "rel-ipenrich-defender")["stringData"]!["client-secret"]);
        var env = manifests.WorkerContainer["env"]!.AsArray().Single(e => (string?)e!["name"] == "Defender__ClientSecret")!;
        Assert.Equal("rel-ipenrich-defender", (string?)env["valueFrom"]!["secretKeyRef"]!["name"]);
        Assert.DoesNotContain("s3cret", manifests.One("ConfigMap").ToJsonString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Keda_scales_on_consumer_lag_and_owns_the_replica_count()
    {
        var manifests = await Helm.TemplateAsync(HelmValueSets.All["keda"]);
        var trigger = manifests.One("ScaledObject")["spec"]!["triggers"]![0]!;
        Assert.Equal("kafka", (string?)trigger["type"]);
        Assert.Equal("ipenrich", (string?)trigger["metadata"]!["consumerGroup"]);
        Assert.Equal("alerts", (string?)trigger["metadata"]!["topic"]);
        Assert.Empty(manifests.OfKind("HorizontalPodAutoscaler"));
        Assert.Null(manifests.One("Deployment")["spec"]!["replicas"]);
        Assert.Equal("6", manifests.WorkerEnv["Quota__ExpectedReplicas"]);
    }

    [Fact]
    public async Task The_hpa_scales_the_worker_and_owns_the_replica_count()
    {
        var manifests = await Helm.TemplateAsync(HelmValueSets.All["hpa"]);
        var hpa = manifests.One("HorizontalPodAutoscaler");
        Assert.Equal("rel-ipenrich", (string?)hpa["spec"]!["scaleTargetRef"]!["name"]);
        Assert.Equal(5L, (long?)hpa["spec"]!["maxReplicas"]);
        Assert.Empty(manifests.OfKind("ScaledObject"));
        Assert.Null(manifests.One("Deployment")["spec"]!["replicas"]);
        Assert.Equal("5", manifests.WorkerEnv["Quota__ExpectedReplicas"]);
    }

    [Fact]
    public async Task Without_an_autoscaler_the_deployment_has_replica_count_replicas()
    {
        var manifests = await Helm.TemplateAsync();
        Assert.Equal(2L, (long?)manifests.One("Deployment")["spec"]!["replicas"]);
        Assert.Equal("2", manifests.WorkerEnv["Quota__ExpectedReplicas"]);
        Assert.Empty(manifests.OfKind("HorizontalPodAutoscaler"));
        Assert.Empty(manifests.OfKind("ScaledObject"));
    }

    [Fact]
    public async Task The_emulator_is_deployed_and_used_only_when_enabled()
    {
        var on = await Helm.TemplateAsync(HelmValueSets.All["emulator"]);
        Assert.Single(on.OfKind("Deployment"), d => (string?)d["metadata"]!["name"] == "rel-ipenrich-emulator");
        var service = on.One("Service", "rel-ipenrich-emulator");
        Assert.Equal("https://rel-ipenrich-emulator:8443", on.WorkerEnv["Defender__BaseUrl"]);
        Assert.Equal("emulator", (string?)service["metadata"]!["labels"]!["app.kubernetes.io/component"]);

        var off = await Helm.TemplateAsync();
        Assert.Single(off.OfKind("Deployment"));
        Assert.DoesNotContain("Defender__BaseUrl", off.WorkerEnv.Keys);
    }

    [Fact]
    public async Task The_emulator_needs_a_client_secret_to_share_with_the_worker()
    {
        var result = await Helm.TemplateRawAsync(["emulator.enabled=true", "defender.tenantId=t", "defender.clientId=c", "defender.workloadIdentity.enabled=true"]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains("emulator.enabled needs", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_service_monitor_scrapes_the_worker_service_only()
    {
        var manifests = await Helm.TemplateAsync([.. HelmValueSets.All["monitoring"], .. HelmValueSets.All["emulator"]]);
        var selector = manifests.One("ServiceMonitor")["spec"]!["selector"]!["matchLabels"]!.AsObject();
        var services = manifests.OfKind("Service")
            .Where(s => selector.All(kv => (string?)s["metadata"]!["labels"]![kv.Key] == (string?)kv.Value))
            .Select(s => (string?)s["metadata"]!["name"]);
        Assert.Equal(["rel-ipenrich"], services);
        Assert.Equal("http-metrics", (string?)manifests.One("Service")["spec"]!["ports"]![0]!["name"]);
    }
}
