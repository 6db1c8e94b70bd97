namespace IpEnrich.Emulator.Hunting;

/// <summary>The scalar types the supported subset produces; values are string, long, DateTime (UTC), TimeSpan, bool.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "KQL's own type names.")]
public enum KqlType
{
    String,
    Long,
    DateTime,
    TimeSpan,
    Bool,
}

/// <summary>A column of a table or a result, with the type name Graph reports in <c>schema</c>.</summary>
public sealed record KqlColumn(string Name, KqlType Type)
{
    public string GraphType => Type switch
    {
        KqlType.String => "String",
        KqlType.Long => "Int64",
        KqlType.DateTime => "DateTime",
        KqlType.TimeSpan => "TimeSpan",
        _ => "Boolean",
    };

    public static string KqlName(KqlType type) => type switch
    {
        KqlType.String => "string",
        KqlType.Long => "long",
        KqlType.DateTime => "datetime",
        KqlType.TimeSpan => "timespan",
        _ => "bool",
    };
}

/// <summary>A bound scalar expression: its type and how to compute it from a row of the current schema.</summary>
public sealed record CompiledExpression(KqlType Type, Func<object?[], object?> Evaluate);

/// <summary>Orders values of one type: strings ordinally, the rest by their natural order; null first.</summary>
internal static class KqlValues
{
    public static int Compare(object? a, object? b) => (a, b) switch
    {
        (null, null) => 0,
        (null, _) => -1,
        (_, null) => 1,
        (string x, string y) => string.CompareOrdinal(x, y),
        (IComparable x, _) => x.CompareTo(b),
        _ => 0,
    };
}
