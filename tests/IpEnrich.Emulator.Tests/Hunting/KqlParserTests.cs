using IpEnrich.Emulator.Hunting;

namespace IpEnrich.Emulator.Tests.Hunting;

/// <summary>The tokenizer and parser accept the worker's query shape in any layout, and refuse anything else with a position.</summary>
public sealed class KqlParserTests
{
    [Fact]
    public void The_worker_query_parses_into_its_five_parts()
    {
        var query = KqlParser.Parse(WorkerQuery.For(["203.0.113.5", "::ffff:203.0.113.5", "2001:db8::1"]));

        Assert.Equal("DeviceNetworkEvents", query.Table.Text);
        Assert.Collection(query.Operators,
            op => Assert.IsType<BinaryExpression>(Assert.IsType<WhereOperator>(op).Predicate),
            op => Assert.Equal(["203.0.113.5", "::ffff:203.0.113.5", "2001:db8::1"], Assert.IsType<InExpression>(Assert.IsType<WhereOperator>(op).Predicate).Values),
            op => Assert.Equal("IP", Assert.Single(Assert.IsType<ExtendOperator>(op).Columns).Name),
            op =>
            {
                var summarize = Assert.IsType<SummarizeOperator>(op);
                Assert.Equal(["Devices", "FirstSeen", "LastSeen"], summarize.Aggregates.Select(a => a.Name));
                Assert.Equal("IP", Assert.IsType<ColumnReference>(Assert.Single(summarize.By).Value).Name);
            });
    }

    [Fact]
    public void Layout_is_free_one_line_or_many_with_comments()
    {
        const string oneLine = "DeviceNetworkEvents|where RemoteIP in(\"1.2.3.4\")|where Timestamp>ago(30d)|summarize c=count() by RemoteIP";
        const string spread = "DeviceNetworkEvents // table\r\n|\twhere RemoteIP in (\r\n  \"1.2.3.4\"\r\n)\n| where Timestamp > ago( 30d )\n| summarize c = count()\n  by RemoteIP\n";
        Assert.Equal(Shape(KqlParser.Parse(oneLine)), Shape(KqlParser.Parse(spread)));
    }

    [Fact]
    public void String_literals_take_backslash_escapes_and_in_tilde_is_one_token()
    {
        var tokens = KqlTokenizer.Tokenize("RemoteIP in~ (\"a\\\"b\\\\c\", 'd\\'e')");
        Assert.Equal("in~", tokens[1].Text);
        Assert.Equal(["a\"b\\c", "d'e"], tokens.Where(t => t.Kind == KqlTokenKind.StringLiteral).Select(t => (string)t.Value!));
    }

    [Theory]
    [InlineData("720h", 720 * 60)]
    [InlineData("30d", 30 * 24 * 60)]
    [InlineData("15m", 15)]
    public void Timespan_literals_carry_their_value(string literal, int minutes)
    {
        var token = KqlTokenizer.Tokenize(literal)[0];
        Assert.Equal(KqlTokenKind.Timespan, token.Kind);
        Assert.Equal(TimeSpan.FromMinutes(minutes), token.Value);
    }

    [Theory]
    [InlineData("DeviceNetworkEvents\n| take 10", "Query could not be parsed at 'take' on line [2,3]")]
    [InlineData("DeviceNetworkEvents | where RemoteIP in (\"1.2.3.4\"", "Query could not be parsed at '<end of query>' on line [1,51]")]
    [InlineData("DeviceNetworkEvents | where RemoteIP in (\"1.2.3.4)", "Query could not be parsed at '\"' on line [1,42]")]
    [InlineData("DeviceNetworkEvents | where RemoteIP in (1, 2)", "Query could not be parsed at '1' on line [1,42]")]
    [InlineData("DeviceNetworkEvents | where Timestamp > ago(5y)", "Query could not be parsed at '5y' on line [1,45]")]
    [InlineData("DeviceNetworkEvents ; foo", "Query could not be parsed at ';' on line [1,21]")]
    [InlineData("DeviceNetworkEvents | summarize by", "Query could not be parsed at '<end of query>' on line [1,35]")]
    [InlineData("DeviceNetworkEvents RemoteIP", "Query could not be parsed at 'RemoteIP' on line [1,21]")]
    public void Syntax_errors_name_the_token_and_its_line_and_column(string query, string message)
    {
        Assert.Equal(message, Assert.Throws<KqlException>(() => KqlParser.Parse(query)).Message);
    }

    private static string Shape(KqlQuery query) =>
        string.Join(" | ", query.Operators.Select(op => op.Name + ":" + op.GetType().Name));
}
