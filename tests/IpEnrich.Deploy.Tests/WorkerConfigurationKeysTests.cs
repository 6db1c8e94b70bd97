namespace IpEnrich.Deploy.Tests;

public sealed class WorkerConfigurationKeysTests
{
    [Theory]
    [InlineData("Kafka:InputTopic")]
    [InlineData("kafka__inputtopic")]
    [InlineData("Kafka__Settings__sasl.password")]
    [InlineData("Defender:Resilience:MaxRetries")]
    [InlineData("Extraction:KnownPaths:0")]
    [InlineData("Quota__ExpectedReplicas")]
    [InlineData("ShutdownTimeout")]
    [InlineData("OTEL_EXPORTER_OTLP_ENDPOINT")]
    public void Keys_the_worker_binds_are_known(string key) => Assert.True(WorkerConfigurationKeys.IsKnown(key), key);

    [Theory]
    [InlineData("Kafka:InputTopik")]
    [InlineData("Kafka:InputTopic:Extra")]
    [InlineData("Defender:Resilience:Retries")]
    [InlineData("Extraction:KnownPaths:first")]
    [InlineData("Kafka:Settings:a:b")]
    [InlineData("Cach:FoundTtl")]
    [InlineData("ShutdownTimeOutt")]
    public void Typos_are_not(string key) => Assert.False(WorkerConfigurationKeys.IsKnown(key), key);
}
