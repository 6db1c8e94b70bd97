using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace IpEnrich.Deploy.Tests;

/// <summary>YAML documents as JSON nodes, with plain scalars typed by the YAML 1.2 core schema (as Helm and kubectl read them).</summary>
public static class Yaml
{
    public static IReadOnlyList<JsonNode?> LoadAll(string text)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(text));
        return [.. stream.Documents.Select(d => ToJson(d.RootNode))];
    }

    public static JsonNode? Load(string text) => LoadAll(text).Single();

    private static JsonNode? ToJson(YamlNode node) => node switch
    {
        YamlMappingNode map => new JsonObject(map.Children.Select(kv => KeyValuePair.Create(((YamlScalarNode)kv.Key).Value!, ToJson(kv.Value)))),
        YamlSequenceNode seq => new JsonArray([.. seq.Children.Select(ToJson)]),
        YamlScalarNode scalar => Scalar(scalar),
        _ => throw new InvalidOperationException($"unsupported YAML node {node.NodeType}"),
    };

    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? string.Empty;
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) => JsonValue.Create(l),
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => JsonValue.Create(d),
            _ => JsonValue.Create(value),
        };
    }

    /// <summary>Every leaf key of a configuration object, <c>:</c>-separated, as the configuration binder flattens it.</summary>
    public static IEnumerable<string> ConfigurationKeys(JsonNode? node, string prefix = "")
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                foreach (var (key, child) in obj)
                {
                    foreach (var k in ConfigurationKeys(child, prefix.Length == 0 ? key : prefix + ":" + key))
                    {
                        yield return k;
                    }
                }

                break;
            case JsonArray array when array.Count > 0:
                for (var i = 0; i < array.Count; i++)
                {
                    foreach (var k in ConfigurationKeys(array[i], prefix + ":" + i.ToString(CultureInfo.InvariantCulture)))
                    {
                        yield return k;
                    }
                }

                break;
            default:
                yield return prefix;
                break;
        }
    }
}
