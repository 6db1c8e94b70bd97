namespace IpEnrich.Core.Extraction;

// The JSON paths of the listed IPs: their UTF-8 text, written once per path into one reused buffer, and their enumeration.
public sealed partial class AlertExtraction
{
    private byte[] _pathBytes = new byte[1024];
    private int _pathByteCount;

    public PathEnumerator GetPaths(int index) => new(this, _ips[CheckIndex(index)].FirstPath);

    public IReadOnlyList<string> GetPathStrings(int index)
    {
        var list = new List<string>();
        foreach (var path in GetPaths(index))
        {
            list.Add(System.Text.Encoding.UTF8.GetString(path));
        }

        return list;
    }

    internal Span<byte> ReservePathBytes(int length)
    {
        if (_pathBytes.Length - _pathByteCount < length)
        {
            Array.Resize(ref _pathBytes, Math.Max(_pathBytes.Length * 2, _pathByteCount + length));
        }

        return _pathBytes.AsSpan(_pathByteCount, length);
    }

    /// <summary>Commits bytes written into <see cref="ReservePathBytes"/>; returns the path's start offset.</summary>
    internal int CommitPath(int length)
    {
        var start = _pathByteCount;
        _pathByteCount += length;
        return start;
    }

    internal ReadOnlySpan<byte> PathText(int start, int length) => _pathBytes.AsSpan(start, length);

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

        /// <summary>The path's text, UTF-8.</summary>
        public ReadOnlySpan<byte> Current { get; private set; }

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
