namespace IpEnrich.Core.Enrichment;

/// <summary>The <c>reason</c> of a <c>deferred</c> IP (output contract): why no answer is available yet.</summary>
public static class DeferralReason
{
    /// <summary>The lookup outlived the alert's maxWait; it goes on in the background and fills the cache.</summary>
    public const string Timeout = "timeout";

    /// <summary>The shared API budget is spent, or the API answered 429.</summary>
    public const string Quota = "quota";

    /// <summary>The API failed transiently (5xx, network, timeouts, open circuit).</summary>
    public const string Outage = "outage";

    /// <summary>The worker is stopping.</summary>
    public const string Shutdown = "shutdown";
}
