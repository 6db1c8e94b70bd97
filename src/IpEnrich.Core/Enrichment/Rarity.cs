namespace IpEnrich.Core.Enrichment;

/// <summary>How common an IP is in the organization over the look-back, rarest first (docs/output-contract in the README).</summary>
public enum Rarity
{
    /// <summary>No device connected to it in the window.</summary>
    Unseen,

    /// <summary>1 … <c>Triage:RareAtMost</c> devices.</summary>
    Rare,

    /// <summary>… <c>Triage:UncommonAtMost</c> devices.</summary>
    Uncommon,

    /// <summary>More devices than that.</summary>
    Common,
}
