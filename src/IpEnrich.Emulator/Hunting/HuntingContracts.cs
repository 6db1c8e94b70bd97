using System.Text.Json.Serialization;

namespace IpEnrich.Emulator.Hunting;

/// <summary>Graph's <c>huntingQueryResults</c>: the result schema and one object per row, keyed by column name.</summary>
public sealed record HuntingResponse(
    [property: JsonPropertyName("@odata.context")] string ODataContext,
    [property: JsonPropertyName("schema")] IReadOnlyList<HuntingSchemaColumn> Schema,
    [property: JsonPropertyName("results")] IReadOnlyList<Dictionary<string, object?>> Results);

public sealed record HuntingSchemaColumn(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("type")] string Type);

/// <summary>Graph's error envelope: <c>{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}</c>.</summary>
public sealed record GraphErrorResponse([property: JsonPropertyName("error")] GraphError Error);

public sealed record GraphError(
    [property: JsonPropertyName("code")] string Code,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("innerError")] GraphInnerError InnerError);

public sealed record GraphInnerError(
    [property: JsonPropertyName("date")] string Date,
    [property: JsonPropertyName("request-id")] string RequestId,
    [property: JsonPropertyName("client-request-id")] string ClientRequestId);
