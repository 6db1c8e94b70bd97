using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace IpEnrich.Defender.Configuration;

/// <summary>
/// Runs a generated options validator and words its failures as configuration keys, one line each:
/// <c>Timeout: The field RedisOptions.Timeout must be between 1 and 10.</c> becomes <c>Redis:Timeout must be between 1 and 10</c>.
/// </summary>
public sealed partial class SettingKeyValidator<T>(IValidateOptions<T> validator, string sectionName) : IValidateOptions<T>
    where T : class
{
    // The generator names a member by its path from the options type: RedisOptions.Timeout, DefenderOptions.Resilience.MaxRetries.
    private readonly Regex _displayName = new($@"\b{Regex.Escape(typeof(T).Name)}((?:\.\w+)+)", RegexOptions.CultureInvariant);

    public ValidateOptionsResult Validate(string? name, T options)
    {
        var result = validator.Validate(name, options);
        return result.Failed ? ValidateOptionsResult.Fail(result.Failures.Select(Reword)) : result;
    }

    /// <summary>The failure with the member path as a key, without the generator's member prefix and closing full stop.</summary>
    public string Reword(string failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var match = _displayName.Match(failure);
        if (!match.Success)
        {
            return failure;
        }

        var key = (sectionName.Length == 0 ? match.Groups[1].Value[1..] : sectionName + match.Groups[1].Value).Replace('.', ':');
        var rest = failure[(match.Index + match.Length)..].TrimEnd('.');
        var before = failure[..match.Index];
        // What precedes the key is the generator's "Member: " prefix and the attribute's "The field "; a custom message may put words there.
        var words = MemberPrefix().Replace(before, string.Empty);
        return words is "" or "The field " ? key + rest : words + key + rest;
    }

    [GeneratedRegex(@"^[\w, ]+: ")]
    private static partial Regex MemberPrefix();
}
