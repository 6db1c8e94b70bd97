using System.Globalization;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// Where an alert that went out <c>deferred</c> is, so its late update can point at it and be keyed like it:
/// input topic, partition, offset and key. Stored as <c>topic\npartition\noffset[\nbase64 key]</c> (no line field is absent for a null key).
/// </summary>
public sealed record AlertReference(string Topic, int Partition, long Offset, byte[]? Key)
{
    public string Encode() => Key is null
        ? string.Create(CultureInfo.InvariantCulture, $"{Topic}\n{Partition}\n{Offset}")
        : string.Create(CultureInfo.InvariantCulture, $"{Topic}\n{Partition}\n{Offset}\n{Convert.ToBase64String(Key)}");

    /// <summary>Null for text this version did not write.</summary>
    public static AlertReference? Decode(string? text)
    {
        var parts = text?.Split('\n');
        if (parts is not { Length: 3 or 4 } || parts[0].Length == 0
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var partition)
            || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var offset))
        {
            return null;
        }

        byte[]? key = null;
        if (parts.Length == 4)
        {
            key = new byte[parts[3].Length];
            if (!Convert.TryFromBase64String(parts[3], key, out var written))
            {
                return null;
            }

            key = key[..written];
        }

        return new AlertReference(parts[0], partition, offset, key);
    }
}
