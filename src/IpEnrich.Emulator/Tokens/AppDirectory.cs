using IpEnrich.Emulator.Options;

namespace IpEnrich.Emulator.Tokens;

/// <summary>The registered applications, from <c>Emulator:Apps</c> or the single default app.</summary>
public sealed class AppDirectory
{
    private readonly Dictionary<(string Tenant, string Client), AppRegistration> _apps;

    public AppDirectory(EmulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var apps = options.Apps.Count > 0 ? options.Apps : [DefaultApp(options)];
        _apps = apps.ToDictionary(a => (a.TenantId.ToUpperInvariant(), a.ClientId.ToUpperInvariant()));
        Tenants = apps.Select(a => a.TenantId).Distinct(StringComparer.OrdinalIgnoreCase).ToArray();
        UsesDefaultApp = options.Apps.Count == 0;
    }

    public IReadOnlyList<AppRegistration> Apps => [.. _apps.Values];

    public IReadOnlyList<string> Tenants { get; }

    public bool UsesDefaultApp { get; }

    public bool HasTenant(string tenant) => Tenants.Contains(tenant, StringComparer.OrdinalIgnoreCase);

    public AppRegistration? Find(string tenant, string clientId) =>
        _apps.GetValueOrDefault((tenant.ToUpperInvariant(), clientId.ToUpperInvariant()));

    private static AppRegistration DefaultApp(EmulatorOptions options)
    {
        var app = new AppRegistration { TenantId = options.TenantId, ClientId = options.ClientId, ClientSecret = options.ClientSecret };
        app.Roles.Add(TokenIssuer.IpReadAll);
        app.Roles.Add(TokenIssuer.ThreatHuntingReadAll);
        return app;
    }
}
