using System.Net;
using IpEnrich.Core.Extraction;
using IpEnrich.Emulator.Data;

namespace IpEnrich.Emulator.Hunting;

/// <summary>A query's answer: its schema, at most the row limit plus one rows, and how many events it examined.</summary>
public sealed record HuntingResult(IReadOnlyList<KqlColumn> Schema, IReadOnlyList<object?[]> Rows, long RowsExamined);

/// <summary>
/// Runs a KQL query over the event store the IP statistics API reads. The table holds events in
/// [now − timespan, now], the same closed window as the statistics; a where clause can only narrow it.
/// </summary>
public static class HuntingQuery
{
    public static HuntingResult Run(string text, EventStore store, DateTimeOffset now, TimeSpan timespan, int maxRows)
    {
        ArgumentNullException.ThrowIfNull(store);
        var compiled = KqlCompiler.Compile(KqlParser.Parse(text), now.UtcDateTime);
        var (from, to) = ((now - timespan).UtcDateTime, now.UtcDateTime);
        long examined = 0;
        var table = store.Scan(Candidates(compiled.RemoteIpFilter))
            .Select(e =>
            {
                examined++;
                return e;
            })
            .Where(e => e.Timestamp >= from && e.Timestamp <= to)
            .Select(e => new object?[] { e.Timestamp, e.DeviceId, e.RemoteIp });
        var rows = compiled.Run(table).Take(maxRows + 1).ToList();
        return new HuntingResult(compiled.Schema, rows, examined);
    }

    // Any literal that is no IP address cannot equal a RemoteIP, so it reads nothing; both spellings of an IPv4 address read one history.
    private static IEnumerable<IpValue>? Candidates(IReadOnlyList<string>? literals) =>
        literals?.Select(l => IPAddress.TryParse(l, out var address) ? IpValue.FromAddress(address) : (IpValue?)null)
            .OfType<IpValue>();
}
