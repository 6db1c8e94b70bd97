namespace IpEnrich.Emulator.Hunting;

/// <summary>A query bound to its table: the result schema and the pipeline from table rows to result rows.</summary>
public sealed record CompiledQuery(
    IReadOnlyList<KqlColumn> Schema,
    IReadOnlyList<string>? RemoteIpFilter,
    Func<IEnumerable<object?[]>, IEnumerable<object?[]>> Run);

/// <summary>
/// Resolves a parsed query against <c>DeviceNetworkEvents</c> (Timestamp, DeviceId, RemoteIP) and builds its
/// pipeline, failing like Kusto's semantic checks ("'summarize' operator: Failed to resolve scalar expression named 'x'").
/// </summary>
public static class KqlCompiler
{
    public const string Table = "DeviceNetworkEvents";

    public static IReadOnlyList<KqlColumn> TableSchema { get; } =
        [new("Timestamp", KqlType.DateTime), new("DeviceId", KqlType.String), new("RemoteIP", KqlType.String)];

    /// <param name="now">What <c>ago()</c> counts back from.</param>
    public static CompiledQuery Compile(KqlQuery query, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(query);
        if (query.Table.Text != Table)
        {
            throw new KqlException($"Failed to resolve table or column expression named '{query.Table.Text}'");
        }

        IReadOnlyList<KqlColumn> schema = TableSchema;
        var stages = new List<Func<IEnumerable<object?[]>, IEnumerable<object?[]>>>();
        foreach (var op in query.Operators)
        {
            var scope = new KqlExpressions(schema, op.Name, now);
            switch (op)
            {
                case WhereOperator where:
                    var predicate = scope.Expect(scope.Compile(where.Predicate), KqlType.Bool, "where");
                    stages.Add(rows => rows.Where(row => predicate.Evaluate(row) is true));
                    break;
                case ExtendOperator extend:
                    (schema, var project) = Extend(schema, extend, scope);
                    stages.Add(rows => rows.Select(project));
                    break;
                case SummarizeOperator summarize:
                    (schema, var aggregate) = Summarize(summarize, scope);
                    stages.Add(aggregate);
                    break;
            }
        }

        return new CompiledQuery(schema, RemoteIpFilter(query), rows => stages.Aggregate(rows, (current, stage) => stage(current)));
    }

    /// <summary>
    /// The literals of the first <c>RemoteIP in (…)</c> among the leading where clauses: rows with any other RemoteIP
    /// cannot pass, so the event store is read for these IPs only (the filter still runs on every row read).
    /// </summary>
    private static IReadOnlyList<string>? RemoteIpFilter(KqlQuery query) => query.Operators
        .TakeWhile(op => op is WhereOperator)
        .Select(op => ((WhereOperator)op).Predicate)
        .OfType<InExpression>()
        .FirstOrDefault(e => e.Left is ColumnReference { Name: "RemoteIP" })?.Values;

    private static (IReadOnlyList<KqlColumn>, Func<object?[], object?[]>) Extend(IReadOnlyList<KqlColumn> schema, ExtendOperator extend, KqlExpressions scope)
    {
        var output = schema.ToList();
        var targets = new List<(int Index, CompiledExpression Value)>();
        foreach (var (assignment, n) in extend.Columns.Select((a, n) => (a, n)))
        {
            var value = scope.Compile(assignment.Value);
            var name = assignment.Name ?? (assignment.Value is ColumnReference c ? c.Name : $"Column{n + 1}");
            var index = output.FindIndex(column => column.Name == name); // extending an existing name replaces it
            if (index < 0)
            {
                index = output.Count;
                output.Add(new KqlColumn(name, value.Type));
            }
            else
            {
                output[index] = new KqlColumn(name, value.Type);
            }

            targets.Add((index, value));
        }

        var width = output.Count;
        return (output, row =>
        {
            var result = new object?[width];
            Array.Copy(row, result, row.Length);
            foreach (var (index, value) in targets)
            {
                result[index] = value.Evaluate(row); // every value reads the input row, as in KQL
            }

            return result;
        });
    }

    private static (IReadOnlyList<KqlColumn>, Func<IEnumerable<object?[]>, IEnumerable<object?[]>>) Summarize(SummarizeOperator summarize, KqlExpressions scope)
    {
        var keys = summarize.By.Select((b, n) =>
        {
            var value = scope.Compile(b.Value);
            return (Column: new KqlColumn(b.Name ?? (b.Value is ColumnReference c ? c.Name : $"Column{n + 1}"), value.Type), Value: value);
        }).ToArray();
        var aggregates = summarize.Aggregates.Select(a => KqlAggregates.Compile(a, scope)).ToArray();
        var output = keys.Select(k => k.Column).Concat(aggregates.Select(a => a.Column)).ToArray();
        if (output.GroupBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } duplicate)
        {
            throw scope.Error($"A column named '{duplicate.Key}' is declared more than once");
        }

        IEnumerable<object?[]> Run(IEnumerable<object?[]> rows)
        {
            var groups = new Dictionary<object?[], IAccumulator[]>(RowKeyComparer);
            foreach (var row in rows)
            {
                var key = Array.ConvertAll(keys, k => k.Value.Evaluate(row));
                if (!groups.TryGetValue(key, out var accumulators))
                {
                    groups[key] = accumulators = Array.ConvertAll(aggregates, a => a.Create());
                }

                foreach (var accumulator in accumulators)
                {
                    accumulator.Add(row);
                }
            }

            if (groups.Count == 0 && keys.Length == 0)
            {
                groups[[]] = Array.ConvertAll(aggregates, a => a.Create()); // no "by": one row even over no input
            }

            return groups.Select(g => g.Key.Concat(g.Value.Select(a => a.Result)).ToArray());
        }

        return (output, Run);
    }

    private static readonly IEqualityComparer<object?[]> RowKeyComparer = EqualityComparer<object?[]>.Create(
        (a, b) => System.Collections.StructuralComparisons.StructuralEqualityComparer.Equals(a, b),
        key => System.Collections.StructuralComparisons.StructuralEqualityComparer.GetHashCode(key));
}
