namespace IpEnrich.Core.Extraction;

/// <summary>What <see cref="FieldNameRules"/> says of a frame's property name, evaluated lazily per frame.</summary>
internal enum NameVerdict : byte
{
    /// <summary>Not evaluated yet (or no name, as for a top-level array).</summary>
    Unknown,

    /// <summary>An array: the verdict is its holder's, the frame below it.</summary>
    Inherited,
    Scanned,
    Excluded,
}
