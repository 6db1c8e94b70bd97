using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using IpEnrich.Core.Alerts;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// The checks a message passes before and as its JSON is read (empty, size, UTF-8, byte order mark, a top-level
/// object), and the one-line reasons for every rejection, those the JSON walk finds included.
/// </summary>
internal static class AlertPrecheck
{
    private static readonly byte[] Utf8Bom = [0xEF, 0xBB, 0xBF];

    /// <summary>
    /// False with a rejection for an empty, oversized or non-UTF-8 message; otherwise true with the offset where the
    /// JSON starts (past a byte order mark).
    /// </summary>
    public static bool TryAccept(ReadOnlySpan<byte> alert, int maxAlertBytes, out int jsonStart, out AlertRejection rejection)
    {
        jsonStart = 0;
        rejection = default;
        if (alert.IsEmpty || alert.Trim(" \t\r\n"u8).IsEmpty)
        {
            rejection = AlertRejection.Create(RejectionKind.Empty, "empty message");
            return false;
        }

        if (alert.Length > maxAlertBytes)
        {
            rejection = AlertRejection.Create(RejectionKind.TooLarge,
                $"message of {alert.Length} bytes exceeds Extraction:MaxAlertBytes ({maxAlertBytes})");
            return false;
        }

        if (!Utf8.IsValid(alert))
        {
            var valid = FirstInvalidUtf8(alert);
            rejection = AlertRejection.Create(RejectionKind.InvalidUtf8, $"invalid UTF-8 at byte {valid}");
            return false;
        }

        jsonStart = alert.StartsWith(Utf8Bom) ? Utf8Bom.Length : 0;
        return true;
    }

    public static AlertRejection NotJson(JsonException ex)
    {
        var where = ex.BytePositionInLine is { } pos ? $" (line {ex.LineNumber + 1}, byte {pos + 1})" : string.Empty;
        return AlertRejection.Create(RejectionKind.NotJson, $"not valid JSON: {FirstSentence(ex.Message)}{where}");
    }

    /// <summary>
    /// Reads a document's first token: the alert must be an object, while JSON embedded in its strings may also be
    /// an array. False when the document cannot be walked, with a rejection that matters for the alert only.
    /// </summary>
    public static bool TryReadRoot(ref JsonTokenReader reader, bool isAlert, out AlertRejection rejection)
    {
        rejection = default;
        _ = reader.Read(); // a document without a value throws, as any other that is not JSON

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            return true;
        }

        if (isAlert)
        {
            rejection = AlertRejection.Create(RejectionKind.NotAnObject,
                $"top-level JSON value is {Describe(reader.TokenType)}; an alert must be a JSON object");
            return false;
        }

        return reader.TokenType == JsonTokenType.StartArray;
    }

    public static AlertRejection TooDeep(int maxDepth) =>
        AlertRejection.Create(RejectionKind.TooDeep, $"nesting deeper than Extraction:MaxDepth ({maxDepth})");

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> data)
    {
        var status = Utf8.ToUtf16(data, new char[data.Length], out var read, out _, replaceInvalidSequences: false);
        return status == OperationStatus.Done ? data.Length : read;
    }

    private static string Describe(JsonTokenType type) => type switch
    {
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => type.ToString(),
    };

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
