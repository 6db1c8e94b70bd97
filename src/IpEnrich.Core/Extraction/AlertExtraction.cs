using System.Net;

namespace IpEnrich.Core.Extraction;

/// <summary>
/// What <see cref="AlertExtractor"/> found in one alert: the distinct IPs in document order with their JSON paths
/// and skip decisions, and the layout the annotation writer needs. Reusable: <see cref="AlertExtractor"/> resets it,
/// so a pipeline keeps one per in-flight message and allocates nothing per alert once warm.
/// </summary>
public sealed partial class AlertExtraction
{
    // Most alerts name a handful of addresses, and comparing a few values beats hashing one: the index is built only
    // for a listing longer than this.
    private const int ScannedIps = 8;
    private readonly Dictionary<IpValue, int> _index = [];
    private readonly List<IPAddress> _candidates = [];
    private readonly List<IpValue> _candidateValues = [];
    private IpInternTable _interner = IpInternTable.Shared;
    private readonly List<int> _candidateIndexes = [];
    private FoundIp[] _ips = new FoundIp[8];
    private PathNode[] _paths = new PathNode[16];
    private int _pathCount;

    /// <summary>Distinct IPs found and listed, in order of first appearance.</summary>
    public int Count { get; private set; }

    /// <summary>Occurrences of further distinct IPs beyond <see cref="ExtractionOptions.MaxListedIps"/>.</summary>
    public int IpsNotListed { get; private set; }

    /// <summary>The alert's severity as a lookup priority (Normal when the alert states none).</summary>
    public IpEnrich.Core.Enrichment.AlertPriority Priority => DeclaredPriority ?? IpEnrich.Core.Enrichment.AlertPriority.Normal;

    /// <summary>The priority read from a severity path, or null when none matched.</summary>
    public IpEnrich.Core.Enrichment.AlertPriority? DeclaredPriority { get; internal set; }

    /// <summary>The addresses to look up (not skipped), in order.</summary>
    public IReadOnlyList<IPAddress> Candidates
    {
        get
        {
            // Made on first need: an alert whose addresses are all in L1 never needs them.
            for (var k = _candidates.Count; k < _candidateIndexes.Count; k++)
            {
                _candidates.Add(GetIp(_candidateIndexes[k]).Address);
            }

            return _candidates;
        }
    }

    /// <summary>The candidates as values, in the same order: the lookups' L1 keys, with no object behind them.</summary>
    public IReadOnlyList<IpValue> CandidateValues => _candidateValues;

    public int CandidateCount => _candidateValues.Count;

    public InternedIp GetIp(int index)
    {
        ref var ip = ref _ips[CheckIndex(index)];
        return ip.Ip ??= _interner.Get(ip.Value);
    }

    public IpValue GetValue(int index) => _ips[CheckIndex(index)].Value;

    /// <summary>Why the IP is not looked up (<c>loopback</c>, <c>denied</c>, <c>max_ips_per_alert</c>…), or null.</summary>
    public string? GetSkipReason(int index) => _ips[CheckIndex(index)].SkipReason;

    /// <summary>The position of IP <paramref name="index"/> in <see cref="Candidates"/>, or -1 when it is skipped.</summary>
    public int GetCandidatePosition(int index) => _ips[CheckIndex(index)].CandidatePosition;

    /// <summary>Where the top-level members are, for the annotation writer.</summary>
    internal MemberLayout Layout { get; } = new();

    internal WalkState WalkState { get; } = new();

    internal void Reset()
    {
        _index.Clear();
        _candidates.Clear();
        _candidateValues.Clear();
        _candidateIndexes.Clear();
        Array.Clear(_ips, 0, Count);
        Count = 0;
        IpsNotListed = 0;
        _pathCount = 0;
        _pathByteCount = 0; // the path text (AlertExtraction.Paths.cs)
        DeclaredPriority = null;
        Layout.Reset();
        WalkState.Reset();
    }

    /// <summary>Records one occurrence of <paramref name="value"/> at the path already committed at pathStart.</summary>
    /// <remarks>
    /// IPs at known paths may go <see cref="KnownPathReserve"/> past <paramref name="maxListed"/>: an alert stuffed with
    /// thousands of IPs in free text must not push its real source address out of the listing.
    /// </remarks>
    internal void AddOccurrence(IpValue value, int pathStart, int pathLength, int maxListed, int maxPaths, IpInternTable interner, bool known = false)
    {
        var i = Find(value);
        if (i < 0)
        {
            if (Count >= maxListed && (!known || Count >= maxListed + KnownPathReserve))
            {
                IpsNotListed++;
                return;
            }

            if (Count == _ips.Length)
            {
                Array.Resize(ref _ips, _ips.Length * 2);
            }

            i = Count++;
            _interner = interner;
            _ips[i] = new FoundIp { Value = value, Category = IpClassifier.Classify(value), FirstPath = -1, LastPath = -1, CandidatePosition = -1 };
            Index(i);
        }

        ref var ip = ref _ips[i];
        ip.Known |= known;
        if (ip.PathCount >= maxPaths || (ip.LastPath >= 0 && _paths[ip.LastPath].Start == pathStart))
        {
            return;
        }

        if (_pathCount == _paths.Length)
        {
            Array.Resize(ref _paths, _paths.Length * 2);
        }

        var node = _pathCount++;
        _paths[node] = new PathNode(pathStart, pathLength, -1);
        if (ip.LastPath >= 0)
        {
            _paths[ip.LastPath].Next = node;
        }
        else
        {
            ip.FirstPath = node;
        }

        ip.LastPath = node;
        ip.PathCount++;
    }

    /// <summary>The position of <paramref name="value"/> in the listing, or -1.</summary>
    private int Find(IpValue value)
    {
        if (Count > ScannedIps)
        {
            return _index.TryGetValue(value, out var found) ? found : -1;
        }

        for (var i = 0; i < Count; i++)
        {
            if (_ips[i].Value.Equals(value))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Indexes IP <paramref name="i"/>, just added, once the listing is past what a scan finds faster.</summary>
    private void Index(int i)
    {
        if (i > ScannedIps)
        {
            _index[_ips[i].Value] = i;
        }
        else if (i == ScannedIps)
        {
            for (var j = 0; j <= i; j++)
            {
                _index[_ips[j].Value] = j;
            }
        }
    }

    /// <summary>Picks the IPs to look up: those at known paths first, then the rest in document order.</summary>
    internal void ApplyPolicy(IpFilterPolicy policy, int maxIpsPerAlert)
    {
        SelectCandidates(policy, maxIpsPerAlert, known: true);
        SelectCandidates(policy, maxIpsPerAlert, known: false);
    }

    private void SelectCandidates(IpFilterPolicy policy, int maxIpsPerAlert, bool known)
    {
        for (var i = 0; i < Count; i++)
        {
            ref var ip = ref _ips[i];
            if (ip.Known != known)
            {
                continue;
            }

            ip.SkipReason = policy.SkipReason(ip.Value, ip.Category);
            if (ip.SkipReason is not null)
            {
                continue;
            }

            if (_candidateValues.Count >= maxIpsPerAlert)
            {
                ip.SkipReason = "max_ips_per_alert";
                continue;
            }

            ip.CandidatePosition = _candidateValues.Count;
            _candidateValues.Add(ip.Value);
            _candidateIndexes.Add(i);
        }
    }

    private int CheckIndex(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return index;
    }

    internal struct FoundIp
    {
        public IpValue Value;
        public InternedIp? Ip; // interned on first need: most alerts' addresses are answered from L1 by value
        public IpCategory Category;
        public int FirstPath;
        public int LastPath;
        public int PathCount;
        public int CandidatePosition;
        public string? SkipReason;
        public bool Known;
    }

    /// <summary>How far IPs at known paths may exceed <see cref="ExtractionOptions.MaxListedIps"/>.</summary>
    internal const int KnownPathReserve = 64;
}
