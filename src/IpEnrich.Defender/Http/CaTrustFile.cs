using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace IpEnrich.Defender.Http;

/// <summary>
/// The <c>Defender:CaCertificatePath</c> root, re-read when the file changes: the lookup service holds one HttpClient
/// for its lifetime, so a rotated CA must be picked up at handshake time (connections are renewed every few minutes).
/// </summary>
public sealed class CaTrustFile
{
    private readonly string _path;
    private readonly Lock _gate = new();
    private (DateTime Written, long Length, X509Certificate2 Root)? _loaded;

    /// <summary>Reads the file now, so a missing or malformed one fails at start as before.</summary>
    public CaTrustFile(string path)
    {
        _path = path;
        _ = Root;
    }

    /// <summary>The current root; while the file is unreadable or half-written, the last good one.</summary>
    public X509Certificate2 Root
    {
        get
        {
            var file = new FileInfo(_path);
            lock (_gate)
            {
                if (_loaded is { } loaded && (!file.Exists || (loaded.Written == file.LastWriteTimeUtc && loaded.Length == file.Length)))
                {
                    return loaded.Root;
                }

                try
                {
                    // Not disposed when replaced: a handshake on another connection may still be building a chain with it.
                    var root = X509Certificate2.CreateFromPem(File.ReadAllText(_path));
                    _loaded = (file.LastWriteTimeUtc, file.Length, root);
                    return root;
                }
                catch (Exception ex) when (_loaded is not null && ex is IOException or UnauthorizedAccessException or CryptographicException)
                {
                    return _loaded.Value.Root;
                }
            }
        }
    }
}
