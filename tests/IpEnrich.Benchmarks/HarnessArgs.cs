using System.Globalization;

namespace IpEnrich.Benchmarks;

/// <summary>What a harness option takes after its name.</summary>
internal enum OptionKind
{
    Flag,
    Text,
    Integer,
    Number,
}

/// <summary>The <c>--name value</c> options of the harness modes (load, chaos, emulator, the cost commands).</summary>
internal static class HarnessArgs
{
    /// <summary>The value after <paramref name="name"/>, or null when the option is absent or has no value.</summary>
    public static string? Value(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    /// <summary>
    /// The first thing wrong with <paramref name="args"/> for a command taking <paramref name="options"/>, in one line naming
    /// the option, or null: a name it does not take, a value missing, a value that is not the number it needs. A run of
    /// minutes must not start on a misspelt option and measure its defaults.
    /// </summary>
    public static string? Problem(string[] args, IReadOnlyDictionary<string, OptionKind> options)
    {
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            if (!options.TryGetValue(name, out var kind))
            {
                return $"{name}: not an option of this command";
            }

            if (kind == OptionKind.Flag)
            {
                continue;
            }

            if (++i == args.Length)
            {
                return $"{name}: its value is missing";
            }

            var valid = kind switch
            {
                OptionKind.Integer => int.TryParse(args[i], NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
                OptionKind.Number => double.TryParse(args[i], NumberStyles.Float, CultureInfo.InvariantCulture, out _),
                _ => true,
            };
            if (!valid)
            {
                return $"{name}: {(kind == OptionKind.Integer ? "a whole number" : "a number")} expected, not {args[i]}";
            }
        }

        return null;
    }

    /// <summary>Prints the usage and the problem, as every harness command refuses its arguments.</summary>
    /// <returns>The exit code of a refused command line.</returns>
    public static int Refuse(string usage, string problem)
    {
        Console.Error.WriteLine($"{usage}\n{problem}");
        return 2;
    }
}
