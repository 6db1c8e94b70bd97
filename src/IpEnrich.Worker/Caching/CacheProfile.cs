using IpEnrich.Defender.Options;
using Microsoft.Extensions.Options;

namespace IpEnrich.Worker.Caching;

/// <summary>
/// The name every shared key of one tenant and cloud carries (<c>Cache:Profile</c>, else <c>{cloud}-{tenantId}</c>),
/// computed once: the cache, the quotas and the backlog share it without depending on one another.
/// </summary>
public sealed class CacheProfile(IOptions<CacheOptions> cache, IOptions<DefenderOptions> defender)
{
    public string Name { get; } = (cache.Value.Profile ?? $"{defender.Value.Cloud}-{defender.Value.TenantId}").ToLowerInvariant();

    public override string ToString() => Name;
}
