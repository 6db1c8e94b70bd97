using IpEnrich.Emulator.Hunting;

namespace IpEnrich.Emulator.Tests.Hunting;

/// <summary>Names and types resolve like Kusto's: unknown tables, columns and functions are refused with its wording.</summary>
public sealed class KqlCompilerTests
{
    private static readonly DateTime Now = new(2026, 11, 20, 12, 0, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("DeviceProcessEvents | where Timestamp > ago(1h)", "Failed to resolve table or column expression named 'DeviceProcessEvents'")]
    [InlineData("DeviceNetworkEvents | summarize Devices = dcount(x) by RemoteIP", "'summarize' operator: Failed to resolve scalar expression named 'x'")]
    [InlineData("DeviceNetworkEvents | where RemotePort > 10", "'where' operator: Failed to resolve scalar expression named 'RemotePort'")]
    [InlineData("DeviceNetworkEvents | where RemoteIP has \"1.2\"", null)]
    [InlineData("DeviceNetworkEvents | extend IP = replace_string(RemoteIP, \"::ffff:\", \"\")", "'extend' operator: Unknown function: 'replace_string'.")]
    [InlineData("DeviceNetworkEvents | summarize d = dcount(DeviceId, 9) by RemoteIP", "'summarize' operator: dcount(): the accuracy argument must be a constant between 0 and 4")]
    [InlineData("DeviceNetworkEvents | summarize d = avg(Timestamp)", "'summarize' operator: Unknown aggregation function: 'avg'.")]
    [InlineData("DeviceNetworkEvents | where Timestamp > \"yesterday\"", "'where' operator: Cannot compare values of types datetime and string. Try adding explicit casts")]
    [InlineData("DeviceNetworkEvents | where RemoteIP", "'where' operator: where: expected a value of type bool, got string")]
    [InlineData("DeviceNetworkEvents | where count() > 1", "'where' operator: Function 'count' can only be used in the aggregation context of 'summarize'")]
    [InlineData("DeviceNetworkEvents | extend IP = RemoteIP | summarize by IP | where RemoteIP in (\"1.2.3.4\")", "'where' operator: Failed to resolve scalar expression named 'RemoteIP'")]
    public void Unknown_names_and_wrong_types_are_refused(string query, string? message)
    {
        var error = Assert.Throws<KqlException>(() => KqlCompiler.Compile(KqlParser.Parse(query), Now));
        if (message is not null)
        {
            Assert.Equal(message, error.Message);
        }
    }

    [Fact]
    public void Reordered_clauses_and_renamed_columns_give_the_same_numbers()
    {
        var rows = new List<object?[]>
        {
            Row(-2, "d1", "203.0.113.5"),
            Row(-1, "d2", "::ffff:203.0.113.5"),
            Row(-3, "d1", "203.0.113.5"),
            Row(-800, "d3", "203.0.113.5"), // older than 720 h
            Row(-1, "d4", "198.51.100.1"), // not asked
        };
        var worker = Run(WorkerQuery.For(["203.0.113.5", "::FFFF:203.0.113.5"]), rows);
        var reordered = Run("""
            DeviceNetworkEvents
            | where RemoteIP in~ ("::ffff:203.0.113.5", "203.0.113.5")
            | where Timestamp > ago(30d)
            | extend Addr = iff(RemoteIP startswith "::FFFF:", substring(RemoteIP, 7), RemoteIP)
            | summarize Last = max(Timestamp), Seen = dcount(DeviceId), First = min(Timestamp), Hits = count() by Addr
            """, rows);

        Assert.Equal(["IP", "Devices", "FirstSeen", "LastSeen"], worker.Schema.Select(c => c.Name));
        Assert.Equal(["String", "Int64", "DateTime", "DateTime"], worker.Schema.Select(c => c.GraphType));
        Assert.Equal(["Addr", "Last", "Seen", "First", "Hits"], reordered.Schema.Select(c => c.Name));
        var row = Assert.Single(worker.Rows);
        Assert.Equal(new object?[] { "203.0.113.5", 2L, Now.AddHours(-3), Now.AddHours(-1) }, row);
        Assert.Equal(new object?[] { "203.0.113.5", Now.AddHours(-1), 2L, Now.AddHours(-3), 3L }, Assert.Single(reordered.Rows));
    }

    [Fact]
    public void In_is_case_sensitive_and_in_tilde_is_not()
    {
        var rows = new List<object?[]> { Row(-1, "d1", "2001:db8::a") };
        Assert.Empty(Run("DeviceNetworkEvents | where RemoteIP in (\"2001:DB8::A\")", rows).Rows);
        Assert.Single(Run("DeviceNetworkEvents | where RemoteIP in~ (\"2001:DB8::A\")", rows).Rows);
    }

    [Fact]
    public void The_leading_remote_ip_list_is_offered_to_the_store_as_an_index()
    {
        Assert.Equal(["1.2.3.4"], KqlCompiler.Compile(KqlParser.Parse("DeviceNetworkEvents | where Timestamp > ago(1h) | where RemoteIP in (\"1.2.3.4\")"), Now).RemoteIpFilter);
        Assert.Null(KqlCompiler.Compile(KqlParser.Parse("DeviceNetworkEvents | extend RemoteIP = DeviceId | where RemoteIP in (\"1.2.3.4\")"), Now).RemoteIpFilter);
    }

    private static object?[] Row(int hours, string device, string ip) => [Now.AddHours(hours), device, ip];

    private static (IReadOnlyList<KqlColumn> Schema, List<object?[]> Rows) Run(string query, List<object?[]> rows)
    {
        var compiled = KqlCompiler.Compile(KqlParser.Parse(query), Now);
        return (compiled.Schema, compiled.Run(rows).ToList());
    }
}
