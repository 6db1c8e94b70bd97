namespace IpEnrich.Core.Extraction;

/// <summary>
/// Where the alert's top-level members and closing brace are, so the annotation writer can insert the enrichment
/// property, or replace the one an earlier pass wrote, by copying byte ranges instead of re-serializing.
/// </summary>
internal sealed class MemberLayout
{
    private Member[] _members = new Member[32];
    private int _count;

    public ReadOnlySpan<Member> Members => _members.AsSpan(0, _count);

    /// <summary>Offset of the top-level object's closing brace; -1 until the walk reaches it.</summary>
    public int CloseBraceOffset { get; set; }

    public bool HasEnrichmentProperty { get; private set; }

    public void Reset()
    {
        _count = 0;
        CloseBraceOffset = -1;
        HasEnrichmentProperty = false;
    }

    public void AddMember(int nameStart, bool isEnrichment)
    {
        if (_count == _members.Length)
        {
            Array.Resize(ref _members, _members.Length * 2);
        }

        _members[_count++] = new Member(nameStart, -1, isEnrichment);
        HasEnrichmentProperty |= isEnrichment;
    }

    public void EndMember(int valueEnd)
    {
        if (_count > 0)
        {
            _members[_count - 1].ValueEnd = valueEnd;
        }
    }

    internal record struct Member(int NameStart, int ValueEnd, bool IsEnrichment);
}
