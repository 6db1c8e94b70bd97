namespace IpEnrich.Emulator.Hunting;

/// <summary>A parsed query: a table piped through operators.</summary>
public sealed record KqlQuery(KqlToken Table, IReadOnlyList<KqlOperator> Operators);

public abstract record KqlOperator(KqlToken At)
{
    public string Name => At.Text;
}

public sealed record WhereOperator(KqlToken At, KqlExpression Predicate) : KqlOperator(At);

public sealed record ExtendOperator(KqlToken At, IReadOnlyList<KqlAssignment> Columns) : KqlOperator(At);

public sealed record SummarizeOperator(KqlToken At, IReadOnlyList<KqlAssignment> Aggregates, IReadOnlyList<KqlAssignment> By) : KqlOperator(At);

/// <summary><c>Name = expression</c>; <paramref name="Name"/> is null when the query left the column unnamed.</summary>
public sealed record KqlAssignment(string? Name, KqlExpression Value);

public abstract record KqlExpression(KqlToken At);

public sealed record ColumnReference(KqlToken At) : KqlExpression(At)
{
    public string Name => At.Text;
}

/// <summary>A string, long or timespan literal.</summary>
public sealed record LiteralExpression(KqlToken At, object Value) : KqlExpression(At);

public sealed record CallExpression(KqlToken At, IReadOnlyList<KqlExpression> Arguments) : KqlExpression(At)
{
    public string Function => At.Text;
}

/// <summary><c>left op right</c> for comparisons and <c>startswith</c>.</summary>
public sealed record BinaryExpression(KqlToken At, KqlExpression Left, KqlExpression Right) : KqlExpression(At)
{
    public string Operator => At.Text;
}

/// <summary><c>left in (…)</c> or <c>left in~ (…)</c> over string literals.</summary>
public sealed record InExpression(KqlToken At, KqlExpression Left, IReadOnlyList<string> Values) : KqlExpression(At)
{
    public bool IgnoreCase => At.Text == "in~";
}
