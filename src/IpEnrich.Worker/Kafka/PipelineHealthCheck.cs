using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IpEnrich.Worker.Kafka;

/// <summary>Ready when the consumer holds partitions (or the group has nothing to give) and the loop is running.</summary>
public sealed class PipelineHealthCheck(KafkaPipeline pipeline) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(pipeline.IsRunning
            ? HealthCheckResult.Healthy($"{pipeline.AssignedPartitions} partitions assigned; {pipeline.Delivered} records delivered")
            : HealthCheckResult.Unhealthy("the consume loop is not running"));
}
