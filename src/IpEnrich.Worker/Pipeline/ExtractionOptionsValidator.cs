using IpEnrich.Core.Extraction;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Pipeline;

/// <summary>
/// Checks what only the extractor can read (CIDRs, JSON paths, severity rules) at start by building one, so a bad
/// entry is a configuration line and exit 2 rather than an exception when the pipeline first needs the extractor.
/// </summary>
internal sealed class ExtractionOptionsValidator : IValidateOptions<ExtractionOptions>
{
    public ValidateOptionsResult Validate(string? name, ExtractionOptions options)
    {
        try
        {
            _ = new AlertExtractor(options);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException)
        {
            // The extractor's messages already name the key (Extraction:AllowCidrs: '…' is not …).
            return ValidateOptionsResult.Fail(ex.Message);
        }
    }
}

/// <summary>Checks <see cref="ExtractionOptions"/>' attributes at start (generated).</summary>
[OptionsValidator]
internal sealed partial class ExtractionOptionsAttributesValidator : IValidateOptions<ExtractionOptions>;
