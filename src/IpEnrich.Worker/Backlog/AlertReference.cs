using System.Globalization;
using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Backlog;

/// <summary>
/// Where an alert that went out <c>deferred</c> is, so its late update can point at it and be keyed like it:
/// input topic, partition, offset and key, and its triage as it went out (so an update can recompute the alert's).
/// Stored as <c>topic\npartition\noffset[\nbase64 key][\n~rarest,newIps]</c>; the last line's <c>~</c> is no base64.
/// </summary>
public sealed record AlertReference(string Topic, int Partition, long Offset, byte[]? Key)
{
    private const char TriageMark = '~';

    /// <summary>The alert's triage over the answers it went out with.</summary>
    public AlertTriage Triage { get; init; }

    public string Encode()
    {
        var text = Key is null
            ? string.Create(CultureInfo.InvariantCulture, $"{Topic}\n{Partition}\n{Offset}")
            : string.Create(CultureInfo.InvariantCulture, $"{Topic}\n{Partition}\n{Offset}\n{Convert.ToBase64String(Key)}");
        return Triage.Rarest is { } rarest
            ? string.Create(CultureInfo.InvariantCulture, $"{text}\n{TriageMark}{TriageRules.Text(rarest)},{Triage.NewIps}")
            : text;
    }

    /// <summary>Null for text this version did not write.</summary>
    public static AlertReference? Decode(string? text)
    {
        var parts = text?.Split('\n');
        var triage = default(AlertTriage);
        if (parts is { Length: > 3 } && parts[^1].StartsWith(TriageMark))
        {
            var fields = parts[^1][1..].Split(',');
            if (fields.Length != 2 || !TriageRules.TryParse(fields[0], out var rarest)
                || !int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var newIps))
            {
                return null;
            }

            triage = new AlertTriage(rarest, newIps);
            parts = parts[..^1];
        }

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

        return new AlertReference(parts[0], partition, offset, key) { Triage = triage };
    }
}
