using IpEnrich.Core.Extraction;
using IpEnrich.Defender.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Pipeline;

public static class PipelineServiceCollectionExtensions
{
    /// <summary>Sections <c>Extraction</c> and <c>Enrichment</c>, and the alert processor built on them and on the lookups.</summary>
    public static IServiceCollection AddAlertProcessing(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddExtraction(configuration);
        services.AddSectionOptions<EnrichmentOptions, EnrichmentOptionsValidator>(configuration, EnrichmentOptions.SectionName);
        services.TryAddSingleton<AlertProcessor>();
        return services;
    }

    /// <summary>Section <c>Extraction</c>, checked by building an extractor (the <c>extract</c> command reads it alone).</summary>
    public static IServiceCollection AddExtraction(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddSectionOptions<ExtractionOptions, ExtractionOptionsAttributesValidator>(configuration, ExtractionOptions.SectionName)
            // The extractor skips the property the annotator writes, whatever it is named. Read leniently: through
            // IOptions an invalid Enrichment section would fail this section too, and be reported twice.
            .Configure(extraction => extraction.EnrichmentProperty = CheckedBinding.BindLeniently(
                configuration.GetSection(EnrichmentOptions.SectionName), new EnrichmentOptions()).Property);
        // Bad CIDRs, paths or severity rules are a configuration line at start, not an exception when the pipeline starts.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExtractionOptions>, ExtractionOptionsValidator>());
        return services;
    }
}
