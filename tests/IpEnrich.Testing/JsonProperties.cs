using System.Text.Json;

namespace IpEnrich.Testing;

/// <summary>Byte-level checks of the output contract.</summary>
public static class JsonProperties
{
    /// <summary>Removes a top-level property and the comma that joined it, as the annotator appended it.</summary>
    public static byte[] RemoveTopLevel(byte[] json, string name)
    {
        ArgumentNullException.ThrowIfNull(json);
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && reader.ValueTextEquals(name))
            {
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                var end = (int)reader.BytesConsumed;
                var comma = Array.LastIndexOf(json, (byte)',', start);
                var joined = comma >= 0 && json.AsSpan(comma + 1, start - comma - 1).Trim(" \t\r\n"u8).IsEmpty;
                return [.. json.AsSpan(0, joined ? comma : start), .. json.AsSpan(end)];
            }

            if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= 1)
            {
                reader.Skip();
            }
        }

        throw new InvalidOperationException($"no top-level '{name}'");
    }
}
