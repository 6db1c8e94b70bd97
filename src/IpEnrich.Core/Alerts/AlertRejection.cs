namespace IpEnrich.Core.Alerts;

/// <summary>Why a message cannot be processed as an alert; it goes to the dead-letter topic.</summary>
public enum RejectionKind
{
    Empty,
    TooLarge,
    InvalidUtf8,
    NotJson,
    NotAnObject,
    TooDeep,
}

/// <summary>A rejected message: a kind and a one-line reason for the <c>ipenrich-error</c> header.</summary>
public readonly record struct AlertRejection(RejectionKind Kind, string Reason)
{
    public override string ToString() => Reason;

    internal static AlertRejection Create(RejectionKind kind, string reason)
    {
        // Header values and stderr lines are one line.
        var oneLine = reason.ReplaceLineEndings(" ").Trim();
        return new AlertRejection(kind, oneLine.Length > 300 ? oneLine[..300] : oneLine);
    }
}
