using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace IpEnrich.Defender.Configuration;

/// <summary>The one way a configuration section becomes options: bound, checked, validated at start.</summary>
public static class SectionOptions
{
    /// <summary>
    /// Binds <paramref name="sectionName"/> (empty: the top level) to <typeparamref name="T"/>, reports unreadable values
    /// (<see cref="CheckedBinding"/>), and validates with <typeparamref name="TValidator"/> — a source-generated
    /// <c>[OptionsValidator]</c> over <typeparamref name="T"/>'s attributes and its <c>IValidatableObject</c> rules — at start.
    /// </summary>
    /// <remarks>Not <c>AddOptionsWithValidateOnStart&lt;T, TValidator&gt;</c>: its failures name the type (<c>RedisOptions.Timeout</c>), users need the key.</remarks>
    public static OptionsBuilder<T> AddSectionOptions<T, TValidator>(this IServiceCollection services, IConfiguration configuration, string sectionName)
        where T : class
        where TValidator : class, IValidateOptions<T>, new()
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(sectionName);
        var section = sectionName.Length == 0 ? configuration : configuration.GetSection(sectionName);
        // Unreadable values first: a value that kept its default may also explain a rule's failure.
        var builder = services.AddOptions<T>().BindChecked(section);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<T>>(new SettingKeyValidator<T>(new TValidator(), sectionName)));
        return builder.ValidateOnStart();
    }
}
