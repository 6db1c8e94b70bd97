using System.ComponentModel;
using IpEnrich.Core.Configuration;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IpEnrich.Defender.Configuration;

/// <summary>
/// Binding that turns unreadable values into validation failures instead of exceptions, so they are reported with
/// every other problem, one line each naming the key. Here because this is the lowest project with configuration;
/// the worker's sections use it too.
/// </summary>
public static class CheckedBinding
{
    /// <summary>
    /// Like <c>Bind(section)</c>, but a value that cannot be converted keeps its default and fails validation, naming
    /// its key. Ranges and rules are the section's own validator's (<see cref="SectionOptions"/>).
    /// </summary>
    public static OptionsBuilder<T> BindChecked<T>(this OptionsBuilder<T> builder, IConfiguration section)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(builder);
        DurationConverter.Register();
        builder.Configure(options => BindLeniently(section, options));
        builder.Services.AddSingleton<IValidateOptions<T>>(new ConversionValidator<T>(builder.Name, section));
        return builder;
    }

    /// <summary>Binds every value that converts and skips the others (<see cref="Problems"/> names them).</summary>
    public static T BindLeniently<T>(IConfiguration section, T target)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(section);
        DurationConverter.Register();
        var problems = Problems(section, typeof(T));
        if (problems.Count == 0)
        {
            section.Bind(target);
            return target;
        }

        var prefix = KeyPrefix(section);
        var bad = problems.Select(p => p.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        new ConfigurationBuilder()
            .AddInMemoryCollection(section.AsEnumerable(makePathsRelative: true).Where(kv => !bad.Contains(prefix + kv.Key)))
            .Build()
            .Bind(target);
        return target;
    }

    /// <summary>The keys under <paramref name="section"/> whose values the binder could not convert to <paramref name="type"/>'s properties.</summary>
    public static IReadOnlyList<(string Key, string Failure)> Problems(IConfiguration section, Type type)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(type);
        DurationConverter.Register();
        var problems = new List<(string, string)>();
        CheckProperties(section, type, problems, depth: 0);
        return problems;
    }

    private static void CheckProperties(IConfiguration section, Type type, List<(string, string)> problems, int depth)
    {
        // The options classes are shallow; the limit only guards against self-referencing types.
        if (depth > 8)
        {
            return;
        }

        foreach (var property in type.GetProperties(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length == 0)
            {
                Check(section.GetSection(property.Name), property.PropertyType, problems, depth);
            }
        }
    }

    private static void Check(IConfigurationSection section, Type type, List<(string, string)> problems, int depth)
    {
        if (!section.Exists())
        {
            return;
        }

        var target = Nullable.GetUnderlyingType(type) ?? type;
        var converter = TypeDescriptor.GetConverter(target);
        if (target != typeof(string) && target != typeof(object) && converter.CanConvertFrom(typeof(string)))
        {
            // The same conversion ConfigurationBinder makes; an empty value for a nullable is "unset" to it.
            if (section.Value is { } value && !(target != type && value.Length == 0))
            {
                try
                {
                    _ = converter.ConvertFromInvariantString(value);
                }
                catch (Exception ex) when (ex is FormatException or ArgumentException or NotSupportedException or OverflowException)
                {
                    problems.Add((section.Path, $"{section.Path}: {Describe(target, value)}"));
                }
            }

            return;
        }

        if (ElementType(target) is { } element)
        {
            foreach (var child in section.GetChildren())
            {
                Check(child, element, problems, depth + 1);
            }
        }
        else if (target.IsClass && target != typeof(string))
        {
            CheckProperties(section, target, problems, depth + 1);
        }
    }

    private static string KeyPrefix(IConfiguration section) =>
        section is IConfigurationSection { Path: { Length: > 0 } path } ? path + ":" : string.Empty;

    // The value type of a dictionary, the element type of an array or collection; null for anything else.
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        var generic = type.IsInterface && type.IsGenericType ? [type, .. type.GetInterfaces()] : type.GetInterfaces();
        var dictionary = generic.FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>));
        var enumerable = generic.FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>));
        return dictionary?.GetGenericArguments()[1] ?? enumerable?.GetGenericArguments()[0];
    }

    private static string Describe(Type type, string value) => Type.GetTypeCode(type) switch
    {
        _ when type == typeof(TimeSpan) => $"\"{value}\" is not a duration ({Duration.Hint})",
        _ when type.IsEnum => $"\"{value}\" is not one of {string.Join(", ", Enum.GetNames(type))}",
        TypeCode.Byte or TypeCode.SByte or TypeCode.Int16 or TypeCode.UInt16 or TypeCode.Int32 or TypeCode.UInt32 or TypeCode.Int64 or TypeCode.UInt64
            => $"\"{value}\" is not a whole number",
        TypeCode.Single or TypeCode.Double or TypeCode.Decimal => $"\"{value}\" is not a number",
        TypeCode.Boolean => $"\"{value}\" is not true or false",
        _ => $"\"{value}\" cannot be read as {type.Name}",
    };

    private sealed class ConversionValidator<T>(string? optionsName, IConfiguration section) : IValidateOptions<T>
        where T : class
    {
        public ValidateOptionsResult Validate(string? name, T options)
        {
            if (name is not null && name != optionsName)
            {
                return ValidateOptionsResult.Skip;
            }

            var failures = Problems(section, typeof(T)).Select(p => p.Failure).ToList();
            return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
        }
    }
}
