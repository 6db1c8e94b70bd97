namespace IpEnrich.Emulator.Hunting;

/// <summary>
/// Binds scalar expressions to a schema and type-checks them: columns, literals, comparisons, <c>startswith</c>,
/// <c>in</c>/<c>in~</c>, and the functions <c>ago</c>, <c>iff</c> (alias <c>iif</c>) and <c>substring</c>.
/// </summary>
internal sealed class KqlExpressions(IReadOnlyList<KqlColumn> schema, string operatorName, DateTime now)
{
    public CompiledExpression Compile(KqlExpression expression) => expression switch
    {
        ColumnReference column => Column(column),
        LiteralExpression literal => Literal(literal.Value),
        InExpression @in => In(@in),
        BinaryExpression binary => Binary(binary),
        CallExpression call => Call(call),
        _ => throw KqlException.At(expression.At),
    };

    public KqlException Error(string message) => new($"'{operatorName}' operator: {message}");

    private CompiledExpression Column(ColumnReference reference)
    {
        for (var i = 0; i < schema.Count; i++)
        {
            if (string.Equals(schema[i].Name, reference.Name, StringComparison.Ordinal))
            {
                var index = i;
                return new CompiledExpression(schema[i].Type, row => row[index]);
            }
        }

        throw Error($"Failed to resolve scalar expression named '{reference.Name}'");
    }

    private static CompiledExpression Literal(object value)
    {
        var type = value switch
        {
            string => KqlType.String,
            long => KqlType.Long,
            _ => KqlType.TimeSpan,
        };
        return new CompiledExpression(type, _ => value);
    }

    private CompiledExpression In(InExpression expression)
    {
        var left = Expect(Compile(expression.Left), KqlType.String, expression.At.Text);
        var values = new HashSet<string>(expression.Values, expression.IgnoreCase ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal);
        return new CompiledExpression(KqlType.Bool, row => left.Evaluate(row) is string s && values.Contains(s));
    }

    private CompiledExpression Binary(BinaryExpression expression)
    {
        var left = Compile(expression.Left);
        var right = Compile(expression.Right);
        if (expression.Operator == "startswith")
        {
            Expect(left, KqlType.String, "startswith");
            Expect(right, KqlType.String, "startswith");
            return new CompiledExpression(KqlType.Bool, row =>
                left.Evaluate(row) is string s && right.Evaluate(row) is string prefix && s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase));
        }

        var ordered = expression.Operator is not ("==" or "!=");
        if (left.Type != right.Type || (ordered && left.Type == KqlType.Bool))
        {
            throw Error($"Cannot compare values of types {KqlColumn.KqlName(left.Type)} and {KqlColumn.KqlName(right.Type)}. Try adding explicit casts");
        }

        Func<int, bool> test = expression.Operator switch
        {
            ">" => c => c > 0,
            ">=" => c => c >= 0,
            "<" => c => c < 0,
            "<=" => c => c <= 0,
            "==" => c => c == 0,
            _ => c => c != 0,
        };
        return new CompiledExpression(KqlType.Bool, row =>
            left.Evaluate(row) is { } a && right.Evaluate(row) is { } b && test(KqlValues.Compare(a, b)));
    }

    private CompiledExpression Call(CallExpression call)
    {
        var arguments = call.Arguments.Select(Compile).ToArray();
        switch (call.Function)
        {
            case "ago":
                Arity(call, arguments, 1, 1);
                var span = Expect(arguments[0], KqlType.TimeSpan, "ago");
                return new CompiledExpression(KqlType.DateTime, row => span.Evaluate(row) is TimeSpan t ? now - t : null);
            case "iff" or "iif":
                Arity(call, arguments, 3, 3);
                var (condition, then, otherwise) = (Expect(arguments[0], KqlType.Bool, call.Function), arguments[1], arguments[2]);
                if (then.Type != otherwise.Type)
                {
                    throw Error($"{call.Function}(): arguments 2 and 3 must have the same type");
                }

                return new CompiledExpression(then.Type, row => condition.Evaluate(row) is true ? then.Evaluate(row) : otherwise.Evaluate(row));
            case "substring":
                Arity(call, arguments, 2, 3);
                var text = Expect(arguments[0], KqlType.String, "substring");
                var start = Expect(arguments[1], KqlType.Long, "substring");
                var length = arguments.Length > 2 ? Expect(arguments[2], KqlType.Long, "substring") : null;
                return new CompiledExpression(KqlType.String, row => Substring(text.Evaluate(row), start.Evaluate(row), length?.Evaluate(row)));
            case "count" or "dcount" or "min" or "max":
                throw Error($"Function '{call.Function}' can only be used in the aggregation context of 'summarize'");
            default:
                throw Error($"Unknown function: '{call.Function}'.");
        }
    }

    // KQL clamps rather than fails: a start past the end gives "", a negative one counts from 0.
    private static string? Substring(object? text, object? start, object? length)
    {
        if (text is not string s || start is not long from)
        {
            return null;
        }

        var begin = (int)Math.Clamp(from, 0, s.Length);
        var count = length is long l ? (int)Math.Clamp(l, 0, s.Length - begin) : s.Length - begin;
        return s.Substring(begin, count);
    }

    private void Arity(CallExpression call, CompiledExpression[] arguments, int min, int max)
    {
        if (arguments.Length < min || arguments.Length > max)
        {
            throw Error($"{call.Function}(): function expects {(min == max ? min.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{min} to {max}")} argument(s).");
        }
    }

    public CompiledExpression Expect(CompiledExpression expression, KqlType type, string context)
    {
        return expression.Type == type
            ? expression
            : throw Error($"{context}: expected a value of type {KqlColumn.KqlName(type)}, got {KqlColumn.KqlName(expression.Type)}");
    }
}
