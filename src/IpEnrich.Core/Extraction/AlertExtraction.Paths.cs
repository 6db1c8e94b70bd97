namespace IpEnrich.Core.Extraction;

// The JSON paths of the listed IPs: their text, written once per path into one reused buffer, and their enumeration.
public sealed partial class AlertExtraction
{
    private char[] _pathChars = new char[512];
    private int _pathCharCount;

    public PathEnumerator GetPaths(int index) => new(this, _ips[CheckIndex(index)].FirstPath);

    public IReadOnlyList<string> GetPathStrings(int index)
    {
        var list = new List<string>();
        foreach (var path in GetPaths(index))
        {
            list.Add(path.ToString());
        }

        return list;
    }

    internal Span<char> ReservePathChars(int length)
    {
        if (_pathChars.Length - _pathCharCount < length)
        {
            Array.Resize(ref _pathChars, Math.Max(_pathChars.Length * 2, _pathCharCount + length));
        }

        return _pathChars.AsSpan(_pathCharCount, length);
    }

    /// <summary>Commits chars written into <see cref="ReservePathChars"/>; returns the path's start offset.</summary>
    internal int CommitPath(int length)
    {
        var start = _pathCharCount;
        _pathCharCount += length;
        return start;
    }

    internal ReadOnlySpan<char> PathText(int start, int length) => _pathChars.AsSpan(start, length);

    internal record struct PathNode(int Start, int Length, int Next);

    /// <summary>Enumerates the JSON paths of one IP without allocating.</summary>
    public ref struct PathEnumerator
    {
        private readonly AlertExtraction _owner;
        private int _next;

        internal PathEnumerator(AlertExtraction owner, int first)
        {
            _owner = owner;
            _next = first;
            Current = default;
        }

        public ReadOnlySpan<char> Current { get; private set; }

        public readonly PathEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_next < 0)
            {
                return false;
            }

            var node = _owner._paths[_next];
            Current = _owner.PathText(node.Start, node.Length);
            _next = node.Next;
            return true;
        }
    }
}
