using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Kafka;

/// <summary>
/// Ready when the consume loop is running and the consumer reaches a broker (or has not been cut off for longer than
/// <c>Kafka:DisconnectedGrace</c>).
/// </summary>
public sealed class PipelineHealthCheck(KafkaPipeline pipeline, BrokerConnectivity connectivity, IOptions<KafkaOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var disconnected = connectivity.Disconnected;
        return Task.FromResult(
            !pipeline.IsRunning ? HealthCheckResult.Unhealthy("the consume loop is not running")
            : disconnected > options.Value.DisconnectedGrace ? HealthCheckResult.Unhealthy($"no Kafka broker reachable for {disconnected.TotalSeconds:0} s")
            : HealthCheckResult.Healthy($"{pipeline.AssignedPartitions} partitions assigned; {pipeline.Delivered} records delivered"));
    }
}
