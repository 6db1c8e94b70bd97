namespace IpEnrich.Emulator.Hunting;

/// <summary>
/// Recursive descent over the supported KQL subset:
/// <code>
/// query      := Identifier ( '|' operator )* End
/// operator   := 'where' expr
///             | 'extend' assignment ( ',' assignment )*
///             | 'summarize' ( assignment ( ',' assignment )* )? ( 'by' assignment ( ',' assignment )* )?
/// assignment := ( Identifier '=' )? expr
/// expr       := operand ( ( '&gt;' | '&gt;=' | '&lt;' | '&lt;=' | '==' | '!=' | 'startswith' ) operand
///                       | ( 'in' | 'in~' ) '(' String ( ',' String )* ')' )?
/// operand    := String | Number | Timespan | Identifier | Identifier '(' ( expr ( ',' expr )* )? ')' | '(' expr ')'
/// </code>
/// Names are resolved later (<see cref="KqlCompiler"/>), so an unknown function is a semantic error, not a syntax one.
/// </summary>
public sealed class KqlParser
{
    private static readonly string[] BinaryOperators = [">", ">=", "<", "<=", "==", "!="];
    private readonly IReadOnlyList<KqlToken> _tokens;
    private int _next;

    private KqlParser(IReadOnlyList<KqlToken> tokens) => _tokens = tokens;

    public static KqlQuery Parse(string text)
    {
        var parser = new KqlParser(KqlTokenizer.Tokenize(text));
        var table = parser.Expect(KqlTokenKind.Identifier);
        var operators = new List<KqlOperator>();
        while (parser.Accept(KqlTokenKind.Symbol, "|") is not null)
        {
            operators.Add(parser.Operator());
        }

        parser.Expect(KqlTokenKind.End);
        return new KqlQuery(table, operators);
    }

    private KqlToken Peek => _tokens[_next];

    private KqlOperator Operator()
    {
        var at = Expect(KqlTokenKind.Identifier);
        switch (at.Text)
        {
            case "where":
                return new WhereOperator(at, Expression());
            case "extend":
                return new ExtendOperator(at, Assignments());
            case "summarize":
                var aggregates = Peek.Is(KqlTokenKind.Identifier, "by") ? [] : Assignments();
                var by = Accept(KqlTokenKind.Identifier, "by") is null ? [] : Assignments();
                return new SummarizeOperator(at, aggregates, by);
            default:
                throw KqlException.At(at);
        }
    }

    private List<KqlAssignment> Assignments()
    {
        var list = new List<KqlAssignment>();
        do
        {
            string? name = null;
            if (Peek.Kind == KqlTokenKind.Identifier && _tokens[_next + 1].Is(KqlTokenKind.Symbol, "="))
            {
                name = Peek.Text;
                _next += 2;
            }

            list.Add(new KqlAssignment(name, Expression()));
        }
        while (Accept(KqlTokenKind.Symbol, ",") is not null);
        return list;
    }

    private KqlExpression Expression()
    {
        var left = Operand();
        var op = Peek;
        if ((op.Kind == KqlTokenKind.Symbol && BinaryOperators.Contains(op.Text)) || op.Is(KqlTokenKind.Identifier, "startswith"))
        {
            _next++;
            return new BinaryExpression(op, left, Operand());
        }

        if (op.Is(KqlTokenKind.Identifier, "in") || op.Is(KqlTokenKind.Identifier, "in~"))
        {
            _next++;
            Expect(KqlTokenKind.Symbol, "(");
            var values = new List<string>();
            do
            {
                values.Add((string)Expect(KqlTokenKind.StringLiteral).Value!);
            }
            while (Accept(KqlTokenKind.Symbol, ",") is not null);
            Expect(KqlTokenKind.Symbol, ")");
            return new InExpression(op, left, values);
        }

        return left;
    }

    private KqlExpression Operand()
    {
        var token = Peek;
        switch (token.Kind)
        {
            case KqlTokenKind.StringLiteral or KqlTokenKind.Number or KqlTokenKind.Timespan:
                _next++;
                return new LiteralExpression(token, token.Value!);
            case KqlTokenKind.Identifier:
                _next++;
                return Accept(KqlTokenKind.Symbol, "(") is null ? new ColumnReference(token) : new CallExpression(token, Arguments());
            case KqlTokenKind.Symbol when token.Text == "(":
                _next++;
                var inner = Expression();
                Expect(KqlTokenKind.Symbol, ")");
                return inner;
            default:
                throw KqlException.At(token);
        }
    }

    private List<KqlExpression> Arguments()
    {
        var arguments = new List<KqlExpression>();
        if (Accept(KqlTokenKind.Symbol, ")") is not null)
        {
            return arguments;
        }

        do
        {
            arguments.Add(Expression());
        }
        while (Accept(KqlTokenKind.Symbol, ",") is not null);
        Expect(KqlTokenKind.Symbol, ")");
        return arguments;
    }

    private KqlToken? Accept(KqlTokenKind kind, string text)
    {
        if (!Peek.Is(kind, text))
        {
            return null;
        }

        return _tokens[_next++];
    }

    private KqlToken Expect(KqlTokenKind kind, string? text = null)
    {
        var token = Peek;
        if (token.Kind != kind || (text is not null && token.Text != text))
        {
            throw KqlException.At(token);
        }

        if (kind != KqlTokenKind.End)
        {
            _next++;
        }

        return token;
    }
}
