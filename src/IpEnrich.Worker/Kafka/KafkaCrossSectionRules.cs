using IpEnrich.Worker.Pipeline;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Kafka;

/// <summary>The <c>Kafka</c> rules that read other sections: the drain fits in the host's shutdown, the updates topic is its own.</summary>
internal sealed class KafkaCrossSectionRules(IOptions<HostOptions> host, IConfiguration configuration) : IValidateOptions<KafkaOptions>
{
    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        // The drain runs inside the host's shutdown: a longer one is cut off before it publishes and commits.
        if (options.DrainTimeout >= host.Value.ShutdownTimeout)
        {
            failures.Add("Kafka:DrainTimeout must be below ShutdownTimeout (default 30s)");
        }

        // Read raw, not through IOptions<EnrichmentOptions>: that section's own problems are reported on their own.
        var updatesTopic = configuration[$"{EnrichmentOptions.SectionName}:{nameof(EnrichmentOptions.UpdatesTopic)}"];
        if (!string.IsNullOrWhiteSpace(updatesTopic) && (updatesTopic == options.InputTopic || updatesTopic == options.OutputTopic || updatesTopic == options.DeadLetterTopic))
        {
            failures.Add("Enrichment:UpdatesTopic must differ from Kafka:InputTopic, Kafka:OutputTopic and Kafka:DeadLetterTopic");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
