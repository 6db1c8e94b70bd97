using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using IpEnrich.Core.Annotation;

namespace IpEnrich.Core.Tests.Annotation;

/// <summary>The fragment writer's strings, numbers and timestamps byte for byte as Utf8JsonWriter writes them (relaxed escaping).</summary>
public class JsonFragmentWriterTests
{
    private static readonly JsonWriterOptions Relaxed = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static TheoryData<string> Strings() =>
    [
        "", "$.evidence[0].ipAddress", "quote \" and backslash \\", "tab\tnew line\nreturn\r", "\u0001\u001f", "<json> & 'x' +",
        "é 中文 😀", "line\u2028separator", "\u007f delete", "$['odd key'].\"name\"", new string('x', 5000), new string('"', 700),
    ];

    [Theory]
    [MemberData(nameof(Strings))]
    public void Writes_a_string_as_Utf8JsonWriter_does(string text)
    {
        var expected = WithWriter(w => w.WriteStringValue(text));
        Assert.Equal(expected, WithFragments((ref JsonFragmentWriter f) => f.String(text.AsSpan())));
        Assert.Equal(expected, WithFragments((ref JsonFragmentWriter f) => f.String(Encoding.UTF8.GetBytes(text))));
        Assert.Equal(expected, WithFragments((ref JsonFragmentWriter f) => f.String(text)));
    }

    [Theory]
    [InlineData("2026-11-23T09:12:44.0000000Z")]
    [InlineData("2026-11-23T09:12:44.5000000Z")]
    [InlineData("2026-11-23T09:12:44.1234567Z")]
    [InlineData("2026-11-23T09:12:44.1200000Z")]
    [InlineData("2026-01-02T03:04:05.0000001+05:30")]
    public void Writes_a_timestamp_as_Utf8JsonWriter_does(string text)
    {
        var value = DateTimeOffset.Parse(text, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(WithWriter(w => w.WriteStringValue(value.UtcDateTime)),
            WithFragments((ref JsonFragmentWriter f) => f.Timestamp(value, milliseconds: false)));
        Assert.Equal(WithWriter(w => w.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture))),
            WithFragments((ref JsonFragmentWriter f) => f.Timestamp(value, milliseconds: true)));
    }

    [Fact]
    public void Writes_timestamps_across_the_calendar_as_the_round_trip_format_does()
    {
        var random = new Random(24);
        var values = new List<DateTimeOffset> { DateTimeOffset.MinValue, DateTimeOffset.MaxValue, DateTimeOffset.UnixEpoch, new(2024, 2, 29, 23, 59, 59, TimeSpan.Zero) };
        for (var i = 0; i < 5_000; i++)
        {
            var ticks = random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks);
            // Whole seconds, whole milliseconds and any tick, so every trimming length comes up.
            values.Add(new DateTimeOffset(i % 3 == 0 ? ticks - (ticks % TimeSpan.TicksPerSecond) : i % 3 == 1 ? ticks - (ticks % TimeSpan.TicksPerMillisecond) : ticks, TimeSpan.Zero));
        }

        foreach (var value in values)
        {
            Assert.Equal(WithWriter(w => w.WriteStringValue(value.UtcDateTime)),
                WithFragments((ref JsonFragmentWriter f) => f.Timestamp(value, milliseconds: false)));
            Assert.Equal($"\"{value.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture)}\"",
                WithFragments((ref JsonFragmentWriter f) => f.Timestamp(value, milliseconds: true)));
        }
    }

    [Theory]
    [InlineData(0L)]
    [InlineData(-17L)]
    [InlineData(long.MaxValue)]
    public void Writes_a_number_as_Utf8JsonWriter_does(long value) =>
        Assert.Equal(WithWriter(w => w.WriteNumberValue(value)), WithFragments((ref JsonFragmentWriter f) => f.Number(value)));

    [Fact]
    public void Writes_null_for_a_null_string() =>
        Assert.Equal("null", WithFragments((ref JsonFragmentWriter f) => f.String((string?)null)));

    [Fact]
    public void Spans_chunks_of_its_buffer_writer()
    {
        var parts = Enumerable.Range(0, 400).Select(i => $"path-{i}").ToArray();
        var expected = WithWriter(w =>
        {
            w.WriteStartArray();
            foreach (var part in parts)
            {
                w.WriteStringValue(part);
            }

            w.WriteEndArray();
        });

        var actual = WithFragments((ref JsonFragmentWriter f) =>
        {
            f.Raw("["u8);
            for (var i = 0; i < parts.Length; i++)
            {
                f.Raw(i == 0 ? ""u8 : ","u8);
                f.String(parts[i].AsSpan());
            }

            f.Raw("]"u8);
        }, initialCapacity: 16);
        Assert.Equal(expected, actual);
    }

    private delegate void Fragments(ref JsonFragmentWriter f);

    private static string WithWriter(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, Relaxed))
        {
            write(w);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static string WithFragments(Fragments write, int initialCapacity = 256)
    {
        var buffer = new ArrayBufferWriter<byte>(initialCapacity);
        var f = new JsonFragmentWriter(buffer);
        write(ref f);
        f.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
