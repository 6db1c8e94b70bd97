using IpEnrich.Core.Extraction;

namespace IpEnrich.Worker.Cli;

/// <summary>Splits an alert file into alerts: NDJSON when its first line is a whole alert, else one document.</summary>
internal static class AlertFileReader
{
    /// <returns>Each alert with its 1-based line number, or line 0 for a whole-file document.</returns>
    public static IEnumerable<(ReadOnlyMemory<byte> Alert, int Line)> Split(byte[] file, AlertExtractor extractor, AlertExtraction scratch)
    {
        var lines = new List<(ReadOnlyMemory<byte>, int)>();
        var start = 0;
        var number = 0;
        while (start <= file.Length)
        {
            var end = Array.IndexOf(file, (byte)'\n', start);
            if (end < 0)
            {
                end = file.Length;
            }

            number++;
            var line = file.AsMemory(start, end - start);
            if (!line.Span.Trim(" \t\r"u8).IsEmpty)
            {
                lines.Add((line, number));
            }

            start = end + 1;
        }

        var firstIsWholeAlert = lines.Count > 0 && extractor.TryExtract(lines[0].Item1.Span, scratch, out _);
        return firstIsWholeAlert ? lines : [(file, 0)];
    }
}
