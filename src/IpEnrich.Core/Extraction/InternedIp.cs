using System.Net;
using System.Text.Json;
using IpEnrich.Core.Collections;

namespace IpEnrich.Core.Extraction;

/// <summary>An address with its <see cref="IPAddress"/> and canonical text, shared by every alert that names it.</summary>
public sealed class InternedIp
{
    internal InternedIp(IpValue value)
    {
        Value = value;
        Address = value.ToIPAddress();
        Canonical = Address.ToString();
        CanonicalJson = JsonEncodedText.Encode(Canonical);
        Category = IpClassifier.Classify(value);
    }

    public IpValue Value { get; }

    public IPAddress Address { get; }

    /// <summary><see cref="IPAddress.ToString()"/> of the parsed address: the only form that reaches a URL.</summary>
    public string Canonical { get; }

    /// <summary><see cref="Canonical"/> as UTF-8 JSON text, so every output that lists the address writes it without re-encoding.</summary>
    public JsonEncodedText CanonicalJson { get; }

    public IpCategory Category { get; }
}

/// <summary>
/// A bounded, thread-safe table of recently seen addresses. Alert streams repeat a small set of IPs, so
/// interning removes the per-alert IPAddress and string allocations from the hot path.
/// </summary>
public sealed class IpInternTable(int capacity = 65_536)
{
    private readonly BoundedMemo<IpValue, InternedIp> _table = new(capacity);

    public static IpInternTable Shared { get; } = new();

    public InternedIp Get(IpValue value) => _table.GetOrAdd(value, static (v, _) => new InternedIp(v), 0);
}
