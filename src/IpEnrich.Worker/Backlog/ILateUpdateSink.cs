using IpEnrich.Core.Enrichment;

namespace IpEnrich.Worker.Backlog;

/// <summary>Publishes the late updates of alerts that went out without an answer (<c>Enrichment:UpdatesTopic</c>).</summary>
public interface ILateUpdateSink
{
    /// <summary>
    /// One update per waiter with <paramref name="answer"/> for <paramref name="target"/>. Completes when every one is
    /// durable (delivered; committed in exactly-once mode); throws when one is not, and the backlog keeps the waiters.
    /// </summary>
    Task PublishAsync(IReadOnlyList<AlertReference> waiters, LookupTarget target, IpLookupResult answer, CancellationToken cancellationToken);
}
