namespace IpEnrich.Worker.Cli;

/// <summary>
/// Separates configuration words (<c>--Section:Key=value</c>, <c>--Section:Key value</c>, <c>/Section:Key=value</c>) from a
/// command's own arguments wherever they stand: System.CommandLine hands words after a many-valued argument to it.
/// </summary>
internal static class ConfigurationWords
{
    /// <summary>Splits as the configuration's command-line reader takes words: no IP or file name the commands read starts with - or /.</summary>
    public static (List<string> Arguments, List<string> Configuration) Split(IReadOnlyList<string> words)
    {
        var arguments = new List<string>();
        var configuration = new List<string>();
        for (var i = 0; i < words.Count; i++)
        {
            var word = words[i];
            if (word.Length == 0 || word[0] is not ('-' or '/'))
            {
                arguments.Add(word);
                continue;
            }

            configuration.Add(word);
            // "--Key value": the reader takes the next word as the value (a lone -x it ignores, and takes nothing).
            if (!word.Contains('=', StringComparison.Ordinal) && (word.StartsWith("--", StringComparison.Ordinal) || word[0] == '/') && i + 1 < words.Count)
            {
                configuration.Add(words[++i]);
            }
        }

        return (arguments, configuration);
    }
}
