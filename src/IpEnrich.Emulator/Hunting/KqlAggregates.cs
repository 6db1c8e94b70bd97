namespace IpEnrich.Emulator.Hunting;

/// <summary>One aggregate of a summarize: a factory of per-group accumulators.</summary>
internal sealed record CompiledAggregate(KqlColumn Column, Func<IAccumulator> Create);

internal interface IAccumulator
{
    void Add(object?[] row);

    object? Result { get; }
}

/// <summary>
/// The aggregation functions: <c>count()</c>, <c>dcount(x)</c> and <c>dcount(x, accuracy)</c>, <c>min(x)</c>, <c>max(x)</c>.
/// dcount is exact here: the emulator's job is to agree with the IP statistics API, not to mimic HyperLogLog error.
/// </summary>
internal static class KqlAggregates
{
    public static CompiledAggregate Compile(KqlAssignment assignment, KqlExpressions scope)
    {
        if (assignment.Value is not CallExpression call)
        {
            throw scope.Error("expected an aggregation function such as count(), dcount(), min() or max()");
        }

        var arguments = call.Arguments.Select(scope.Compile).ToArray();
        var name = assignment.Name ?? DefaultName(call);
        switch (call.Function)
        {
            case "count" when arguments.Length == 0:
                return new CompiledAggregate(new KqlColumn(name, KqlType.Long), () => new Count());
            case "dcount" when arguments.Length is 1 or 2:
                if (arguments.Length == 2 && (call.Arguments[1] is not LiteralExpression { Value: long accuracy } || accuracy is < 0 or > 4))
                {
                    throw scope.Error("dcount(): the accuracy argument must be a constant between 0 and 4");
                }

                var value = arguments[0];
                return new CompiledAggregate(new KqlColumn(name, KqlType.Long), () => new DistinctCount(value));
            case "min" or "max" when arguments.Length == 1:
                var sign = call.Function == "min" ? -1 : 1;
                var argument = arguments[0];
                return new CompiledAggregate(new KqlColumn(name, argument.Type), () => new Extreme(argument, sign));
            case "count" or "dcount" or "min" or "max":
                throw scope.Error($"{call.Function}(): wrong number of arguments ({arguments.Length}).");
            default:
                throw scope.Error($"Unknown aggregation function: '{call.Function}'.");
        }
    }

    // KQL's default names: count_, dcount_DeviceId, min_Timestamp.
    private static string DefaultName(CallExpression call) =>
        call.Arguments.Count > 0 && call.Arguments[0] is ColumnReference column ? $"{call.Function}_{column.Name}" : call.Function + "_";

    private sealed class Count : IAccumulator
    {
        private long _count;

        public object? Result => _count;

        public void Add(object?[] row) => _count++;
    }

    private sealed class DistinctCount(CompiledExpression value) : IAccumulator
    {
        private readonly HashSet<object> _seen = [];

        public object? Result => (long)_seen.Count;

        public void Add(object?[] row)
        {
            if (value.Evaluate(row) is { } v)
            {
                _seen.Add(v);
            }
        }
    }

    /// <param name="sign">-1 keeps the smallest value, +1 the largest.</param>
    private sealed class Extreme(CompiledExpression value, int sign) : IAccumulator
    {
        public object? Result { get; private set; }

        public void Add(object?[] row)
        {
            if (value.Evaluate(row) is { } v && (Result is null || sign * KqlValues.Compare(v, Result) > 0))
            {
                Result = v;
            }
        }
    }
}
