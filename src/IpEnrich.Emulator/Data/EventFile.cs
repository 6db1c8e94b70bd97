using System.Net;
using System.Text.Json;

namespace IpEnrich.Emulator.Data;

/// <summary>Reads network events as NDJSON: <c>{"deviceId":"…","remoteIp":"…","timestamp":"2026-11-01T10:00:00Z"}</c> per line.</summary>
public static class EventFile
{
    public static int Load(EventStore store, TextReader reader, string source)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(reader);
        var added = 0;
        var number = 0;
        while (reader.ReadLine() is { } line)
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            if (!TryParse(line, out var deviceId, out var ip, out var timestamp, out var error))
            {
                throw new FormatException($"{source}: line {number}: {error}");
            }

            store.Add(deviceId, ip, timestamp);
            added++;
        }

        return added;
    }

    public static bool TryParse(string line, out string deviceId, out IPAddress ip, out DateTimeOffset timestamp, out string error)
    {
        deviceId = string.Empty;
        ip = IPAddress.None;
        timestamp = default;
        try
        {
            var e = JsonSerializer.Deserialize(line, EmulatorJsonContext.Default.NetworkEvent);
            if (e is null || string.IsNullOrWhiteSpace(e.DeviceId))
            {
                error = "missing deviceId";
                return false;
            }

            if (e.RemoteIp is null || !IPAddress.TryParse(e.RemoteIp, out var address))
            {
                error = $"remoteIp '{e.RemoteIp}' is not an IP address";
                return false;
            }

            if (e.Timestamp is null)
            {
                error = "missing timestamp (ISO-8601)";
                return false;
            }

            deviceId = e.DeviceId;
            ip = address;
            timestamp = e.Timestamp.Value;
            error = string.Empty;
            return true;
        }
        catch (JsonException ex)
        {
            error = "not a JSON event: " + ex.Message.Split(" Path:")[0];
            return false;
        }
    }
}

public sealed record NetworkEvent(string? DeviceId, string? RemoteIp, DateTimeOffset? Timestamp);
